"""The report turns result files into a claims table with verdicts, and never invents a number."""
from kanrepro import claims
from kanrepro.report import build_report
from kanrepro.results import write_results

GOOD = {"max_abs_diff_pl_kan_to_mlp": 1e-12, "max_rel_diff_pl_kan_to_mlp": 1e-15,
        "max_abs_diff_mlp_to_kan": 1e-13, "max_rel_diff_mlp_to_kan": 1e-15,
        "max_abs_diff_bspline_kan_to_mlp": 1e-9, "max_rel_diff_bspline_kan_to_mlp": 1e-10,
        "seed_example_max_abs_diff_as_written": 1.0, "seed_example_max_abs_diff_continuous": 0.0,
        "n_trials": 7, "wall_seconds": 3.0}


def test_verdicts_follow_the_numbers():
    rows = {row["id"]: row for row in claims.judge_all({"01_kan_is_mlp": GOOD})}
    assert rows["C2a"]["verdict"] == claims.REPRODUCED and "7 random models" in rows["C2a"]["ours"]
    assert rows["C2b"]["verdict"] == claims.NOT_REPRODUCED
    wrong = {**GOOD, "max_rel_diff_bspline_kan_to_mlp": 0.3}
    assert {r["id"]: r for r in claims.judge_all({"01_kan_is_mlp": wrong})}["C2d"]["verdict"] == claims.NOT_REPRODUCED


def test_missing_results_are_not_run():
    rows = claims.judge_all({})
    assert {row["verdict"] for row in rows} == {claims.NOT_RUN}
    partial = claims.judge_all({"01_kan_is_mlp": {"n_trials": 1}})
    assert {row["verdict"] for row in partial} == {claims.NOT_RUN}


def test_report_page_links_notebooks_and_shows_claims(tmp_path):
    write_results("01_kan_is_mlp", GOOD, reports_dir=tmp_path)
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "01_kan_is_mlp.html").write_text("<html></html>")
    (tmp_path / "notebooks" / "02_x.failed.ipynb").write_text("{}")
    page = build_report(tmp_path).read_text()
    assert "href='notebooks/01_kan_is_mlp.html'" in page
    assert "Colab &#x27;KAN is just MLP&#x27;" in page and "not reproduced" in page and "reproduced" in page
    assert "02_x.failed.ipynb" in page
