"""The report turns result files into a claims table with verdicts, and never invents a number."""
from kanrepro.pipeline import claims, claims_interpretability
from kanrepro.pipeline.report import build_report
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


def _acc(prefix, mean, low, high, best, worst, n=10):
    return {f"{prefix}_acc_mean": mean, f"{prefix}_acc_ci95": [low, high], f"{prefix}_acc_best": best,
            f"{prefix}_acc_min": worst, f"{prefix}_n_runs": n}


def _row(claim_id, notebook, results):
    return {row["id"]: row for row in claims.judge_all({notebook: results})}[claim_id]


def test_accuracy_verdicts():
    # C1l: CompactNet's [3,3] claims 81.6%
    assert _row("C1l", "05_tiny_mlps", _acc("mlp_3_3", 0.81, 0.80, 0.82, 0.83, 0.78))["verdict"] == claims.REPRODUCED
    lucky = _row("C1l", "05_tiny_mlps", _acc("mlp_3_3", 0.77, 0.76, 0.78, 0.82, 0.72))
    assert lucky["verdict"] == claims.DEPENDS and "-4.6 points" in lucky["why"]
    poor = _row("C1l", "05_tiny_mlps", _acc("mlp_3_3", 0.70, 0.69, 0.71, 0.75, 0.65))
    assert poor["verdict"] == claims.NOT_REPRODUCED
    assert "every summary is above" in _row("C1l", "05_tiny_mlps", _acc("mlp_3_3", 0.9, 0.89, 0.91, 0.92, 0.88))["why"]


def test_count_verdicts():
    kan = {"kan_17_1_14_params_by_convention": {"spline_coefficients": 186, "spline_plus_scales": 248,
                                                "pykan_trainable": 372, "kanbefair": 294}}
    row = _row("C1f", "04_kan_knot", kan)
    assert row["verdict"] == claims.DEPENDS and "spline coefficients" in row["why"] and "186" in row["ours"]
    mlp = {"deepmind_mlp_params_13out": 189_913, "deepmind_mlp_params_14out": 190_214}
    assert _row("C1b", "03_deepmind_mlp", mlp)["verdict"] == claims.NOT_REPRODUCED


def test_results_are_written_with_the_usual_permissions(tmp_path):
    """Atomic writes go through mkstemp (0600); the final file must be readable like any other (umask)."""
    import os
    import stat

    from kanrepro.results import write_results

    old = os.umask(0o022)
    try:
        path = write_results("demo", {"a": 1}, reports_dir=tmp_path)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_dense_scatter_is_an_image_inside_the_svg_and_a_sparse_one_stays_vector(tmp_path):
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from kanrepro.results import RASTERIZE_ABOVE, save_figure

    rng = np.random.default_rng(0)
    sizes = {"dense": RASTERIZE_ABOVE + 1, "sparse": 50}
    for name, n in sizes.items():
        fig, ax = plt.subplots()
        ax.scatter(*rng.normal(size=(2, n)), s=2)
        save_figure(fig, name, reports_dir=tmp_path)
        plt.close(fig)
    dense, sparse = ((tmp_path / "figures" / f"{name}.svg").read_text() for name in sizes)
    # each vector marker is a <use> element (so are the tick marks, a few dozen)
    assert "<image" in dense and dense.count("<use ") < 100  # the markers went into one embedded image
    assert "<image" not in sparse and sparse.count("<use ") >= sizes["sparse"]
    assert (tmp_path / "figures" / "dense.png").stat().st_size > 0


def test_sensitivity_table_sets_the_datasets_side_by_side(tmp_path):
    from kanrepro.knots.dataset import DEFAULT_CENSUS_PATH

    census_sha = __import__("hashlib").sha256(DEFAULT_CENSUS_PATH.read_bytes()).hexdigest()
    default = {**_acc("deepmind_mlp", 0.78, 0.77, 0.79, 0.80, 0.76), "data_sha256": "f" * 64}
    second = {**_acc("deepmind_mlp", 0.86, 0.85, 0.87, 0.88, 0.84), "data_sha256": census_sha}
    results = {"03_deepmind_mlp": default, claims.SENSITIVITY_NOTEBOOK: second}
    rows = {r["id"]: r for r in claims.sensitivity_rows(results)}
    assert set(rows) == set(claims.SENSITIVITY_CLAIMS)
    assert rows["C1a"]["default_verdict"] == claims.REPRODUCED
    assert rows["C1a"]["second_verdict"] == claims.NOT_REPRODUCED
    assert rows["C1a"]["differs"] == "True" and rows["C1l"]["default_verdict"] == claims.NOT_RUN
    write_results("03_deepmind_mlp", default, reports_dir=tmp_path)
    write_results(claims.SENSITIVITY_NOTEBOOK, second, reports_dir=tmp_path)
    page = build_report(tmp_path).read_text()
    assert "Dataset sensitivity" in page and "Ours on census" in page and "(verdict differs)" in page


def _split_results(dm_best, unseen_best, lookup):
    def acc(mean):
        return {"mean": mean, "ci95": [mean - 0.01, mean + 0.01], "n_runs": 10}

    models = {name: {"deepmind_acc_all": acc(0.7), "unseen_knots_acc_all": acc(0.6)}
              for name in claims.UNSEEN_MODEL.values()}
    models["DeepMind MLP [300,300,300]"] = {"deepmind_acc_all": acc(dm_best), "unseen_knots_acc_all": acc(unseen_best)}
    models["lookup 1-NN"] = {"deepmind_acc_all": acc(lookup), "unseen_knots_acc_all": acc(0.5)}
    return {"08_seen_unseen": {"models": models, "seen_share_mean": 0.6}}


def test_the_split_claim_follows_its_written_rule():
    def verdict(*args):
        return {r["id"]: r for r in claims.judge_all(_split_results(*args))}["C1m"]["verdict"]

    assert verdict(0.86, 0.855, 0.70) == claims.REPRODUCED  # lookup far behind, unseen knots cost nothing
    assert verdict(0.86, 0.80, 0.70) == claims.NOT_REPRODUCED  # 6 points lost on unseen knots
    assert verdict(0.86, 0.855, 0.83) == claims.NOT_REPRODUCED  # a lookup within 3 points
    rows = {r["id"]: r for r in claims.judge_all(_split_results(0.86, 0.8, 0.7))}
    assert rows["C1a"]["unseen"].startswith("80.0%") and rows["C1e"]["unseen"] == "not rerun on unseen knots"


def test_a_non_finite_rewrite_check_is_never_exact():
    import math

    import torch

    from kanrepro.rewrites.rewrite_checks import _worst

    assert all(math.isnan(v) for v in _worst((0.0, 0.0), torch.tensor([float("inf")]), torch.tensor([1.0])))
    assert all(math.isnan(v) for v in _worst((float("nan"), float("nan")), torch.tensor([1.0]), torch.tensor([1.0])))
    nan = {**GOOD, "max_abs_diff_pl_kan_to_mlp": float("nan"), "max_rel_diff_pl_kan_to_mlp": float("nan")}
    assert {r["id"]: r for r in claims.judge_all({"01_kan_is_mlp": nan})}["C2a"]["verdict"] == claims.NOT_REPRODUCED


def test_the_page_names_the_datasets_behind_the_results(tmp_path):
    write_results("03_deepmind_mlp", {"data_sha256": "a" * 64}, reports_dir=tmp_path)
    write_results("05_tiny_mlps", {"data_sha256": "a" * 64}, reports_dir=tmp_path)
    page = build_report(tmp_path).read_text()
    assert "Datasets behind these results: <b>other file aaaaaaaaaa…" in page
    assert "03_deepmind_mlp, 05_tiny_mlps" in page


def test_the_instability_claim_needs_both_notebooks_and_follows_its_rule():
    rng = __import__("numpy").random.default_rng(0)
    steady = list(0.80 + rng.normal(0, 0.005, 12))
    shaky = list(0.70 + rng.normal(0, 0.06, 12))

    def row(kan, mlp):
        results = {"04_kan_knot": {"kan_17_1_14_ours_acc_runs": kan}, "05_tiny_mlps": {"mlp_3_3_acc_runs": mlp}}
        return {r["id"]: r for r in claims.judge_all(results)}["C1n"]

    assert row(shaky, steady)["verdict"] == claims.REPRODUCED
    reversed_row = row(steady, shaky)
    assert reversed_row["verdict"] == claims.NOT_REPRODUCED and "MLP's accuracy spreads more" in reversed_row["why"]
    same = row(steady, list(0.80 + rng.normal(0, 0.005, 12)))
    assert same["verdict"] == claims.NOT_REPRODUCED and "CI contains 1" in same["why"]
    only_kan = {r["id"]: r for r in claims.judge_all({"04_kan_knot": {"kan_17_1_14_ours_acc_runs": shaky}})}["C1n"]
    assert only_kan["verdict"] == claims.NOT_RUN and "05_tiny_mlps" in only_kan["why"]


def test_the_automation_claim_follows_its_written_rule():
    def verdict(shares):
        results = {"natural_slope_share": shares, "n_seeds": 10,
                   "best_slope_correlation": {"value": 0.95, "where": "D seed 3, top r2"}}
        rows = claims.judge_all({claims_interpretability.DISCOVERY_NOTEBOOK: results})
        return {r["id"]: r for r in rows}["C1q"]["verdict"]

    assert verdict({"C top r2": 0.0, "D top r2": 0.6}) == claims.REPRODUCED
    assert verdict({"C top r2": 0.1, "D top r2": 0.0}) == claims.DEPENDS
    assert verdict({"C top r2": 0.0, "D pykan default": 0.0}) == claims.NOT_REPRODUCED
    accuracy = _row("C1o-D", claims_interpretability.DISCOVERY_NOTEBOOK,
                    _acc("discovered_D_top_r2", 0.84, 0.83, 0.85, 0.86, 0.80))
    assert accuracy["verdict"] == claims.REPRODUCED


def test_the_report_draws_the_stability_figure_only_from_runs_it_has(tmp_path):
    assert "report_stability.png" not in build_report(tmp_path).read_text()
    write_results("04_kan_knot", {"kan_17_1_14_ours_acc_runs": [0.7, 0.8, 0.75]}, reports_dir=tmp_path)
    write_results("05_tiny_mlps", {"mlp_3_3_acc_runs": [0.8, 0.81]}, reports_dir=tmp_path)
    page = build_report(tmp_path).read_text()
    assert "<img src='figures/report_stability.png'" in page
    assert (tmp_path / "figures" / "report_stability.png").exists()


def test_a_row_from_other_data_or_parameters_is_marked(tmp_path, monkeypatch):
    """Issue 12: notebook 03 run with the smoke config beside 05 on the shipped data showed no sign of it."""
    import hashlib

    from kanrepro.knots.dataset import DATASETS, DEFAULT_DATASET

    shipped = hashlib.sha256(DATASETS[DEFAULT_DATASET].read_bytes()).hexdigest()
    acc = {**_acc("deepmind_mlp", 0.28, 0.27, 0.29, 0.3, 0.26, n=1), "data_sha256": "b" * 64}
    monkeypatch.setenv("KANREPRO_DEFAULT_RUN", "0")
    write_results("03_deepmind_mlp", acc, reports_dir=tmp_path)
    monkeypatch.setenv("KANREPRO_DEFAULT_RUN", "1")
    write_results("05_tiny_mlps", {**_acc("mlp_3_3", 0.81, 0.80, 0.82, 0.83, 0.78), "data_sha256": shipped},
                  reports_dir=tmp_path)
    page = build_report(tmp_path).read_text()
    c1a = page[page.index(">C1a<"):page.index(">C1b<")]
    assert "03_deepmind_mlp ran on other file bbbbbbbbbb" in c1a and "non-default parameters" in c1a
    c1l = page[page.index(">C1l<"):page.index(">C1m<")]
    assert "⚠" not in c1l


def test_the_report_opens_with_the_claims_figure(tmp_path):
    assert "report_claims.png" not in build_report(tmp_path).read_text()
    write_results("05_tiny_mlps", {**_acc("mlp_3_3", 0.81, 0.80, 0.82, 0.83, 0.78), "mlp_3_3_acc_runs": [0.8, 0.82]},
                  reports_dir=tmp_path)
    page = build_report(tmp_path).read_text()
    assert page.index("figures/report_claims.png") < page.index("<h2>Claims</h2>")
    assert (tmp_path / "figures" / "report_claims.png").stat().st_size > 10_000


def test_the_relation_claims_follow_their_written_rule():
    shares = {"signature ~ mu_r, lambda": 0.0, "cusp volume = mu_r * lambda": 1 / 6,
              "short geodesic ~ injectivity radius": 4 / 6, "other": 1 / 6}
    rows = {r["id"]: r for r in claims.judge_all({claims_interpretability.RELATIONS_NOTEBOOK: {"relation_share": shares,
                                                                            "n_networks": 6}})}
    assert rows["C1r-1"]["verdict"] == claims.NOT_REPRODUCED and "None of our 6" in rows["C1r-1"]["why"]
    assert rows["C1r-2"]["verdict"] == claims.REPRODUCED and rows["C1r-2"]["ours"].startswith("1 of 6")
    assert rows["C1r-3"]["verdict"] == claims.REPRODUCED


def test_the_matched_size_instability_rows_read_notebook_06():
    rng = __import__("numpy").random.default_rng(1)
    runs = {"KAN [17,1,·] G=3": list(0.7 + rng.normal(0, 0.08, 6)), "MLP [5-5]": list(0.8 + rng.normal(0, 0.002, 6)),
            "KAN [17,2,·] G=3": list(0.8 + rng.normal(0, 0.01, 6)), "MLP [10-10]": list(0.8 + rng.normal(0, 0.01, 6))}
    rows = {r["id"]: r for r in claims.judge_all({"06_pareto": {"size_acc_runs": runs}})}
    assert rows["C1n-b"]["verdict"] == claims.REPRODUCED and "of 6 vs 6 runs" in rows["C1n-b"]["ours"]
    assert rows["C1n-c"]["verdict"] == claims.NOT_REPRODUCED
