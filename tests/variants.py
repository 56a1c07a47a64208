"""Small scenario files for tests (the baseline cut short, with a name and any extra TOML),
and the check that a command failed in one line."""

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


def one_line_error(capsys) -> str:
    """What a command printed to standard error: one line, never a traceback."""
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    return err
