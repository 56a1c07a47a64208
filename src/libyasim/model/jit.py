"""How the model's submodels are compiled: numba's `njit`, cached on disk, no fastmath.

`NUMBA_DISABLE_JIT=1` runs the very same functions as plain Python (for a debugger or a
class). The cache goes to `__pycache__` beside the sources when the package folder is
writable, else to a per-user cache folder, so that an installed package that users cannot
write to still compiles only once; it is named after the model's sources, so that an edited
model is compiled afresh.
"""

from __future__ import annotations

import hashlib
import math
import os
from collections.abc import Mapping
from pathlib import Path

import numba
import numpy as np
from numba import types


PLAIN_PYTHON = ("__init__.py", "__main__.py", "agents.py", "model.py", "orders.py", "run.py")
"""The model's modules with no compiled function (their edits need no fresh compile)."""


def cache_folder(package: Path, environ: Mapping[str, str]) -> Path:
    """Where numba caches the compiled model: a folder named after the model's sources (numba
    checks only the file of the function it loads, not the submodels compiled into it, so an
    edited submodel must get a fresh cache), under `NUMBA_CACHE_DIR` if set, else in
    `__pycache__` beside the sources when that is writable, else in a per-user cache folder."""
    pycache = package / "__pycache__"
    if environ.get("NUMBA_CACHE_DIR"):
        base = Path(environ["NUMBA_CACHE_DIR"])
    elif os.access(pycache if pycache.exists() else package, os.W_OK):
        base = pycache
    else:
        base = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "libyasim"
    digest = hashlib.sha256()
    for source in sorted(package.glob("*.py")):
        if source.name not in PLAIN_PYTHON:
            digest.update(source.name.encode() + source.read_bytes())
    return base / f"numba-{numba.__version__}-{digest.hexdigest()[:16]}"


numba.config.CACHE_DIR = str(cache_folder(Path(__file__).parent, os.environ))  # type: ignore[attr-defined]


def njit(function):
    """Compile `function` (cached, IEEE-exact arithmetic: results identical to plain Python)."""
    return numba.njit(cache=True, fastmath=False, nogil=True)(function)


class StructType(types.StructRef):
    """A numba structure of arrays (see `state.StateStruct`): the compiled submodels receive the
    state and the parameters as one pointer each, where a named tuple of ~60 arrays would be
    copied into every call (a call would cost ~0.6 µs instead of ~10 ns)."""

    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(typ)) for name, typ in fields)


def disabled() -> bool:
    """Whether the submodels run as plain Python (`NUMBA_DISABLE_JIT=1`)."""
    return bool(numba.config.DISABLE_JIT)  # type: ignore[attr-defined]


@njit
def total(values: np.ndarray) -> float:
    """The sum of a 1-d array exactly as Python's `sum()` of floats computes it (CPython 3.12
    compensates it, after Neumaier), so that compiled and plain runs agree to the last bit."""
    result, compensation = 0.0, 0.0
    for x in values:
        t = result + x
        if abs(result) >= abs(x):
            compensation += (result - t) + x
        else:
            compensation += (x - t) + result
        result = t
    if compensation != 0.0 and math.isfinite(compensation):
        result += compensation
    return result


@njit
def sigmoid(x: float) -> float:
    """Logistic function, clipped so that it never overflows."""
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))
