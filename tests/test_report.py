"""`libyasim report`: one self-contained HTML page of a run or a compare folder."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from libyasim.cli import main
from libyasim.params import PARAMS

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    """A run folder and a compare folder of two scenarios cut to 60 days."""
    tmp = tmp_path_factory.mktemp("report")
    files = []
    for variant in ("baseline", "no_mediation"):
        path = tmp / f"{variant}.toml"
        path.write_text(f'[scenario]\nextends = "{ROOT / "scenarios" / f"{variant}.toml"}"\n'
                        f'name = "{variant}"\nhorizon_days = 60\n')
        files.append(str(path))
    assert main(["run", files[0], "--runs", "8", "--out", str(tmp / "run"), "--workers", "1",
                 "--quiet"]) == 0
    assert main(["compare", *files, "--runs", "8", "--out", str(tmp / "cmp"), "--workers", "1",
                 "--quiet"]) == 0
    return tmp / "run", tmp / "cmp"


def check_self_contained(page: str, images: int) -> None:
    sources = re.findall(r'src="([^"]*)"', page)
    assert len(sources) >= images
    assert all(s.startswith("data:image/png;base64,") and len(s) > 5000 for s in sources)
    assert "<link" not in page and "http://" not in page and "https://" not in page


def check_provenance(page: str) -> None:
    for name, param in PARAMS.items():
        assert f">{name}<" in page, name
        assert html.escape(param.source) in page, name


def test_report_of_a_run_folder(folders, capsys):
    run, _ = folders
    assert main(["report", str(run)]) == 0
    assert str(run / "report.html") in capsys.readouterr().out
    page = (run / "report.html").read_text(encoding="utf-8")
    check_self_contained(page, images=5)  # survival, histograms, end states, fans, map
    check_provenance(page)
    assert "Summary of outcomes" in page and "battle deaths" in page and "Wilson" in page
    assert "horizon_days" in page and ">60<" in page  # the scenario's own setting


def test_report_of_a_compare_folder(folders, tmp_path):
    _, cmp = folders
    out = tmp_path / "shared.html"
    assert main(["report", str(cmp), "--output", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    check_self_contained(page, images=5)  # forest, survival, end states, distributions, fans
    check_provenance(page)
    assert "Differences from baseline" in page and "no_mediation" in page
    assert "Log-rank" in page
    # the parameter that differs between the two scenarios is highlighted
    row = re.search(r'<tr class=changed><td class=text>mediation\.berlin\.enabled</td>'
                    r'<td class=text>True</td><td class=text>False</td>', page)
    assert row is not None


def test_report_of_a_folder_without_results_fails_cleanly(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "neither" in err and len(err.strip().splitlines()) == 1
