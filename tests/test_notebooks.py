"""Every notebook: paired with its py:percent file, committed without outputs, and runs with smoke parameters."""
import ast
import json
import subprocess
from pathlib import Path

import jupytext
import nbformat
import pytest
import yaml

from kanrepro.pipeline.notebook_params import specs_from_notebook

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
SMOKE = yaml.safe_load((ROOT / "configs" / "smoke.yaml").read_text())


def _sources(notebook):
    return [(cell.cell_type, cell.source.strip()) for cell in notebook.cells]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_clean_and_paired(path):
    notebook = nbformat.read(path, as_version=4)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    assert [c for c in notebook.cells if c.cell_type == "code" and (c.outputs or c.execution_count)] == []
    assert "parameters" in notebook.cells[1].metadata.get("tags", []) or any(
        "parameters" in c.metadata.get("tags", []) for c in notebook.cells)
    paired = jupytext.read(path.with_suffix(".py"))
    assert _sources(paired) == _sources(notebook), f"run: jupytext --sync {path.with_suffix('.py')}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_is_visible_to_papermill(path):
    """papermill silently skips a parameter line it cannot parse (e.g. a second '=' in the comment)."""
    notebook = nbformat.read(path, as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    assigned = {node.target.id for node in ast.parse(cell.source).body if isinstance(node, ast.AnnAssign)}
    assert assigned and assigned == set(specs_from_notebook(path))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_smoke_parameters_exist_in_the_notebook(path):
    assert set(SMOKE.get(path.stem, {})) <= set(specs_from_notebook(path))


def test_smoke_config_names_only_existing_notebooks():
    assert set(SMOKE) <= {p.stem for p in NOTEBOOKS}


@pytest.fixture(scope="module")
def smoke_reports(tmp_path_factory) -> Path:
    """One reports folder for every smoke run of this module; the browser test renders the report from it."""
    return tmp_path_factory.mktemp("smoke") / "reports"


def test_kan_is_mlp_smoke_run(repo_root, python, smoke_reports):
    reports = smoke_reports
    completed = subprocess.run([python, "-m", "kanrepro.pipeline.run", "notebooks/01_kan_is_mlp.ipynb", "-c",
                                "configs/smoke.yaml", "--reports", str(reports)],
                               cwd=repo_root, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads((reports / "results" / "01_kan_is_mlp.json").read_text())
    for name in ("pl_kan_to_mlp", "bspline_kan_to_mlp", "mlp_to_kan"):
        assert 0 <= results[f"max_abs_diff_{name}"] and results[f"max_rel_diff_{name}"] < 1e-6
    assert results["seed_example_max_abs_diff_as_written"] == pytest.approx(1.0)
    assert results["n_trials"] == SMOKE["01_kan_is_mlp"]["n_trials"]
    assert results["pl_seed_count_nmk"] == 4 * 5 * 3 + 5 * 3 * 3  # default widths [4, 5, 3], k = 3
    for figure in ("01_seed_example", "01_bspline_edge", "01_param_ratio"):
        assert (reports / "figures" / f"{figure}.png").exists() and (reports / "figures" / f"{figure}.svg").exists()
    assert (reports / "notebooks" / "01_kan_is_mlp.html").exists()


KNOT_KEYS = {
    "03_deepmind_mlp": ["deepmind_mlp_acc_mean", "deepmind_mlp_acc_ci95", "deepmind_mlp_params_13out",
                        "deepmind_mlp_params_14out", "n_seeds", "data_sha256", "wall_seconds"],
    "04_kan_knot": ["kan_17_1_14_acc_mean", "kan_17_1_14_ours_acc_mean", "kan_17_1_14_params_by_convention",
                    "slope_formula_acc", "kan_3_1_14_acc_mean", "n_seeds", "data_sha256", "wall_seconds"],
    "05_tiny_mlps": ["mlp_3_3_acc_mean", "mlp_3_3_acc_best", "mlp_3_3_params", "n_seeds", "data_sha256",
                     "wall_seconds"],
    "06_pareto": ["pareto_front", "size_acc_mean", "size_acc_runs", "parameter_audit", "n_seeds", "data_sha256",
                  "wall_seconds"],
    "07_dataset_sensitivity": ["deepmind_mlp_acc_mean", "kan_17_1_14_ours_acc_mean", "mlp_3_3_acc_mean",
                               "slope_formula_acc", "dataset", "data_sha256", "wall_seconds"],
    "08_seen_unseen": ["seen_share_mean", "models", "lookup_stored_numbers", "dataset", "data_sha256", "wall_seconds"],
    "09_formula_discovery": ["discovered_C_top_r2_acc_mean", "discovered_C_pykan_default_acc_runs",
                             "regression_kan_C_acc_mean", "natural_slope_share", "best_slope_correlation", "formulas",
                             "n_seeds", "data_sha256", "wall_seconds"],
    "10_knot_relations": ["relation_share", "n_networks", "separation_acc_mean", "networks", "dataset",
                          "data_sha256", "wall_seconds"],
}


KNOT_KEYS["02_knot_data"] = ["dataset", "n_rows", "n_knots", "knotinfo_signature_agreement", "repeated_share_15000",
                              "quantiles_within", "signature_shares_within"]


@pytest.mark.parametrize("stem", sorted(KNOT_KEYS))
def test_knot_notebook_smoke_run(repo_root, python, smoke_reports, stem):
    """03-06: smoke parameters point data_path at a CSV in DeepMind's format written by our own builder;
    02 describes the shipped dataset."""
    if stem != "02_knot_data":
        assert SMOKE[stem]["data_path"].endswith(".csv")
    reports = smoke_reports
    completed = subprocess.run([python, "-m", "kanrepro.pipeline.run", f"notebooks/{stem}.ipynb",
                                "-c", "configs/smoke.yaml", "--reports", str(reports)],
                               cwd=repo_root, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads((reports / "results" / f"{stem}.json").read_text())
    assert set(KNOT_KEYS[stem]) <= set(results)
    if stem != "02_knot_data":  # every knot result names its data and how it was made (issue 12)
        assert results["dataset"] and results["n_rows"] > 0 and len(results["data_sha256"]) == 64
        provenance = results["provenance"]
        assert provenance["made_by"] == "kanrepro.pipeline.run" and not provenance["default_parameters"]
    for key, value in results.items():
        if key.endswith("_acc_mean"):  # a number, or a dict of numbers (one per setting)
            values = value.values() if isinstance(value, dict) else [value]
            assert all(0 <= v <= 1 for v in values), key


@pytest.mark.parametrize("override, message", [
    ("data_path=no/such.csv", "data_path 'no/such.csv' is neither a dataset name"),
    ("salient_features=[mu]", "salient_features must be distinct names from"),
    ("split_seeds=[]", "'split_seeds' = [] is not allowed (non-empty)"),
])
def test_knot_notebook_bad_inputs_fail_before_training(repo_root, python, tmp_path, override, message):
    completed = subprocess.run([python, "-m", "kanrepro.pipeline.run", "notebooks/03_deepmind_mlp.ipynb", "-c",
                                "configs/smoke.yaml", "-p", override, "--reports", str(tmp_path)],
                               cwd=repo_root, capture_output=True, text=True)
    assert completed.returncode != 0 and message in completed.stderr
    assert not (tmp_path / "results").exists()


def test_the_report_reads_right_in_headless_chromium(repo_root, python, smoke_reports):
    """The smoke runs' report as a reader sees it: the claims table, every figure loaded, every link resolving.
    Runs after the smoke runs above (same module, file order)."""
    import urllib.request

    from kanrepro.pipeline.browser import chromium_paths, headless_chromium, served
    from kanrepro.pipeline.claims import CLAIMS

    if chromium_paths() is None:
        pytest.skip("Debian's chromium and chromium-driver are not installed (.ci/run installs them)")
    from selenium.webdriver.common.by import By

    ran = {p.stem for p in (smoke_reports / "results").glob("*.json")}
    assert ran >= {p.stem for p in NOTEBOOKS}, "a smoke run above failed"
    subprocess.run([python, "-m", "kanrepro.pipeline.report", "--reports", str(smoke_reports)], cwd=repo_root,
                   check=True, capture_output=True)
    with served(smoke_reports) as base, headless_chromium() as driver:
        driver.get(base + "index.html")
        assert driver.find_element(By.TAG_NAME, "h1").text.startswith("kanrepro")
        claims_rows = driver.find_elements(By.CSS_SELECTOR, "table:first-of-type tr")
        assert len(claims_rows) == len(CLAIMS) + 1  # header + one row per claim
        assert all(r.find_elements(By.CSS_SELECTOR, ".verdict") for r in claims_rows[1:])
        images = driver.execute_script(
            "return [...document.images].map(i => [i.src, i.complete && i.naturalWidth > 0])")
        figures = list((smoke_reports / "figures").glob("*.png"))
        assert len(images) >= len(figures) > 0 and all(ok for _, ok in images), [s for s, ok in images if not ok]
        assert any(src.endswith("report_claims.png") for src, _ in images)
        links = driver.execute_script("return [...document.links].map(a => a.href)")
        pages = {link.rsplit("/", 1)[-1] for link in links if "/notebooks/" in link}
        assert pages >= {f"{p.stem}.html" for p in NOTEBOOKS}
        for link in sorted(set(links)):
            assert urllib.request.urlopen(link, timeout=10).status == 200, link
