"""Small scenario files for tests: the baseline cut short, with a name and any extra TOML."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def baseline_variant(folder: Path, name: str, extra: str = "", horizon: int = 15,
                     runs: int = 3) -> Path:
    """`folder/NAME.toml`: the baseline over `horizon` days with `runs` runs, plus `extra`."""
    path = folder / f"{name}.toml"
    path.write_text(f'[scenario]\nextends = "{ROOT / "scenarios" / "baseline.toml"}"\n'
                    f'name = "{name}"\nhorizon_days = {horizon}\nruns = {runs}\n{extra}')
    return path
