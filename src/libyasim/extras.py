"""Optional parts of libyasim and the pip extra that installs each."""

from __future__ import annotations

import importlib
from types import ModuleType


class MissingExtra(ImportError):
    """A command needs a package from an extra that is not installed."""


def require(module: str, extra: str, what: str) -> ModuleType:
    """Import `module`, or say which extra to install for `what`."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise MissingExtra(f"{what} needs the [{extra}] extra ({module} is not installed); "
                           f"install it with: pip install 'libyasim[{extra}]'") from None
