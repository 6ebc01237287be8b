"""The runner rejects bad parameters before executing, and a failed notebook never looks done."""
import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from kanrepro.pipeline import run


def _notebook(path: Path, body: str, parameters: str = "x: int = 1  # a number (allowed: ≥ 0)") -> Path:
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(parameters)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell, nbformat.v4.new_code_cell(body)]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


WRITES_RESULT = ("from kanrepro.results import write_results\n"
                 "write_results('{stem}', {{'x': x}})\n")


@pytest.mark.parametrize("override, message", [("no_such=1", "no_such"), ("k=-3", "'k' = -3"),
                                                ("k=abc", "'k' must be of type int")])
def test_bad_parameters_fail_before_executing(repo_root, python, tmp_path, override, message):
    reports = tmp_path / "reports"
    completed = subprocess.run([python, "-m", "kanrepro.pipeline.run", "notebooks/01_kan_is_mlp.ipynb", "-p", override,
                                "--reports", str(reports)], cwd=repo_root, capture_output=True, text=True)
    assert completed.returncode == 2
    assert message in completed.stderr
    assert not reports.exists()  # no kernel was started, nothing written


def test_config_section_and_overrides_merge(tmp_path):
    notebook = _notebook(tmp_path / "nb" / "07_demo.ipynb", "pass")
    config = tmp_path / "c.yaml"
    config.write_text("07_demo:\n  x: 5\n")
    assert run.resolve_parameters(notebook, str(config), []) == {"x": 5}
    assert run.resolve_parameters(notebook, str(config), ["x=7"]) == {"x": 7}
    config.write_text("07_demo:\n  x: -1\n")
    with pytest.raises(run.ParameterError, match="'x' = -1"):
        run.resolve_parameters(notebook, str(config), [])


def test_failure_keeps_previous_outputs(tmp_path):
    reports = tmp_path / "reports"
    good = _notebook(tmp_path / "nb" / "07_demo.ipynb", WRITES_RESULT.format(stem="07_demo"))
    run.run_notebook(good, {"x": 1}, reports, html=True)
    result = reports / "results" / "07_demo.json"
    assert json.loads(result.read_text())["x"] == 1
    assert (reports / "notebooks" / "07_demo.html").exists()
    # Same notebook, now writing a new result and then failing: nothing already in reports/ changes.
    _notebook(good, WRITES_RESULT.format(stem="07_demo") + "raise RuntimeError('boom')")
    executed_before = (reports / "notebooks" / "07_demo.ipynb").read_bytes()
    with pytest.raises(Exception, match="boom"):
        run.run_notebook(good, {"x": 2}, reports)
    assert json.loads(result.read_text())["x"] == 1
    assert (reports / "notebooks" / "07_demo.ipynb").read_bytes() == executed_before
    assert (reports / "notebooks" / "07_demo.failed.ipynb").exists()
    assert not list((reports / ".staging").glob("*"))


def test_failed_notebook_fails_make_and_is_never_up_to_date(repo_root, tmp_path):
    notebooks = tmp_path / "nbs"
    _notebook(notebooks / "01_ok.ipynb", WRITES_RESULT.format(stem="01_ok"))
    _notebook(notebooks / "02_bad.ipynb", "raise ValueError('broken on purpose')")
    reports = tmp_path / "reports"
    command = ["make", "--no-print-directory", "reproduce", f"NOTEBOOK_DIR={notebooks}", f"REPORTS={reports}"]
    env = {**os.environ, "MAKEFLAGS": ""}
    first = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, env=env)
    assert first.returncode != 0
    assert (reports / "notebooks" / "01_ok.ipynb").exists()
    assert not (reports / "notebooks" / "02_bad.ipynb").exists()
    assert (reports / "notebooks" / "02_bad.failed.ipynb").exists()
    assert not (reports / "index.html").exists()
    second = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, env=env)
    assert second.returncode != 0 and "broken on purpose" in second.stderr  # ran again, failed again
    assert "kanrepro.pipeline.run" in second.stdout and "01_ok" not in second.stdout  # the good one is up to date


def test_config_typos_and_bad_yaml_are_named(tmp_path):
    notebook = _notebook(tmp_path / "nb" / "03_deepmind_mlp.ipynb", "pass")
    typo = tmp_path / "typo.yaml"
    typo.write_text("03_deepmind_mlpp:\n  x: 2\n")
    message = r"unknown notebook section\(s\) \['03_deepmind_mlpp'\]; known: \['03_deepmind_mlp'\]"
    with pytest.raises(run.ParameterError, match=message):
        run.resolve_parameters(notebook, str(typo), [])
    broken = tmp_path / "broken.yaml"
    broken.write_text("03_deepmind_mlp:\n  x: [1, 2\n")
    with pytest.raises(run.ParameterError, match=r"broken.yaml: not valid YAML at line \d"):
        run.resolve_parameters(notebook, str(broken), [])
    with pytest.raises(run.ParameterError, match="no such file"):
        run.resolve_parameters(notebook, str(tmp_path / "none.yaml"), [])
    good = tmp_path / "good.yaml"
    good.write_text("03_deepmind_mlp:\n  x: 2\n")
    assert run.resolve_parameters(notebook, str(good), []) == {"x": 2}


@pytest.mark.parametrize("override, message", [
    ("split_seeds=[2, 2]", "(distinct"), ("split_seeds=[4294967296]", "0..4294967295"),
    ("max_steps=1e3", "must be of type int"),
])
def test_seed_and_number_rules_apply_before_executing(override, message):
    with pytest.raises(run.ParameterError, match=re.escape(message)):
        run.resolve_parameters(Path("notebooks/03_deepmind_mlp.ipynb"), None, [override])


def test_numbers_parse_as_meant():
    from kanrepro.pipeline.notebook_params import parse_cli_value

    assert parse_cli_value("1e3") == 1000.0 and parse_cli_value("010") == 10
    assert parse_cli_value("[1, 2e-3]") == [1, 0.002]


def test_only_a_default_runner_run_stamps_its_results(repo_root, tmp_path, monkeypatch):
    """Issue 12: a smoke, -p or hand run left make's target in place and make published its numbers."""
    from kanrepro.results import default_stamp, write_results

    reports = tmp_path / "reports"
    notebook = _notebook(tmp_path / "nb" / "07_demo.ipynb", WRITES_RESULT.format(stem="07_demo"))
    run.run_notebook(notebook, {}, reports, html=False)
    made = json.loads((reports / "results" / "07_demo.json").read_text())["provenance"]
    assert default_stamp("07_demo", reports).exists()
    assert made["made_by"] == "kanrepro.pipeline.run" and made["default_parameters"] and len(made["git_commit"]) == 40
    assert set(made["versions"]) >= {"torch", "numpy", "pykan"}
    assert made["lock_sha256"] == hashlib.sha256((repo_root / "requirements.lock").read_bytes()).hexdigest()
    run.run_notebook(notebook, {"x": 2}, reports, html=False)
    assert not default_stamp("07_demo", reports).exists()
    assert not json.loads((reports / "results" / "07_demo.json").read_text())["provenance"]["default_parameters"]
    run.run_notebook(notebook, {"x": 1}, reports, html=False)  # the default value, given explicitly
    assert default_stamp("07_demo", reports).exists()
    monkeypatch.delenv("KANREPRO_DEFAULT_RUN", raising=False)
    write_results("07_demo", {"x": 5}, reports_dir=reports)  # a JupyterLab or python run
    assert not default_stamp("07_demo", reports).exists()
    assert json.loads((reports / "results" / "07_demo.json").read_text())["provenance"]["made_by"].startswith("by hand")


def test_make_reruns_a_notebook_whose_results_came_from_other_parameters(repo_root, python, tmp_path):
    notebooks = tmp_path / "nbs"
    _notebook(notebooks / "01_ok.ipynb", WRITES_RESULT.format(stem="01_ok"))
    reports = tmp_path / "reports"
    command = ["make", "--no-print-directory", "reproduce", f"NOTEBOOK_DIR={notebooks}", f"REPORTS={reports}"]
    env = {**os.environ, "MAKEFLAGS": ""}
    assert subprocess.run(command, cwd=repo_root, capture_output=True, text=True, env=env, check=False).returncode == 0
    smoke = subprocess.run([python, "-m", "kanrepro.pipeline.run", str(notebooks / "01_ok.ipynb"), "-p", "x=7",
                            "--reports", str(reports)], cwd=repo_root, capture_output=True, text=True, check=False)
    assert smoke.returncode == 0 and json.loads((reports / "results" / "01_ok.json").read_text())["x"] == 7
    again = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, env=env, check=False)
    assert again.returncode == 0 and "01_ok: done" in again.stdout  # rerun with the defaults
    assert json.loads((reports / "results" / "01_ok.json").read_text())["x"] == 1
    third = subprocess.run(command, cwd=repo_root, capture_output=True, text=True, env=env, check=False)
    assert "01_ok: done" not in third.stdout  # now up to date


def test_a_killed_run_leaves_a_failure_marker_and_no_staging(tmp_path):
    """Issue 12: kill -9 left reports/.staging/ behind forever and no sign of the failure."""
    import signal

    reports = tmp_path / "reports"
    child = subprocess.Popen(["sleep", "60"])
    dead = subprocess.Popen(["true"])
    dead.wait()
    for stem, pid in (("03_killed", dead.pid), ("04_running", child.pid)):
        (reports / ".staging" / f"{stem}-{pid}" / "notebooks").mkdir(parents=True)
        (reports / ".staging" / f"{stem}-{pid}" / "notebooks" / f"{stem}.ipynb").write_text("{}")
    try:
        assert run.clean_stale_staging(reports) == ["03_killed"]
        assert (reports / "notebooks" / "03_killed.failed.ipynb").exists()
        assert not list((reports / ".staging").glob("03_killed-*"))
        assert list((reports / ".staging").glob("04_running-*"))  # a live run is left alone
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
