"""The knot notebooks' shared setup and teardown (kanrepro.pipeline.session)."""
import ast
import json

import pytest

from kanrepro import results as R
from kanrepro.pipeline import session as S
from kanrepro.pipeline.notebook_params import (
    ParameterError,
    notebook_path,
    specs_from_notebook,
)

SAMPLE = "tests/data/knots_sample.csv"


def _defaults(stem: str) -> dict:
    return {name: ast.literal_eval(spec.default) for name, spec in specs_from_notebook(notebook_path(stem)).items()}


def test_a_session_checks_loads_and_records_what_results_were_made_from(tmp_path, monkeypatch):
    monkeypatch.setattr(R, "REPORTS_DIR", tmp_path)
    namespace = {**_defaults("09_formula_discovery"), "data_path": SAMPLE, "seeds": [3, 1]}
    session = S.start(namespace, "09_formula_discovery", ["seeds"])
    assert len(session.frame) == 800 and len(session.data_sha256) == 64 and session.dataset == "knots_sample"
    assert namespace["seeds"] == [3, 1] and session.parameters["data_path"] == SAMPLE
    written = json.loads(session.write({"answer": 42}).read_text())
    assert written["answer"] == 42 and written["n_rows"] == 800 and written["dataset"] == session.dataset
    assert written["parameters"]["seeds"] == [3, 1] and written["wall_seconds"] >= 0 and "provenance" in written
    with pytest.raises(ValueError, match="must not set \\['n_rows'\\]"):
        session.write({"n_rows": 1})


def test_a_session_refuses_bad_parameters_and_seeds_before_loading():
    namespace = {**_defaults("09_formula_discovery"), "steps": -1}
    with pytest.raises(ParameterError, match="steps"):
        S.start(namespace, "09_formula_discovery", ["seeds"])
    namespace = {**_defaults("10_knot_relations"), "data_path": SAMPLE, "seeds": [1, 1]}
    with pytest.raises(ParameterError, match="distinct"):
        S.start(namespace, "10_knot_relations", ["seeds"])
