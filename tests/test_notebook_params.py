"""Strict parameter checking: unknown names, wrong types and disallowed values are named."""
import json

import nbformat
import pytest

from kanrepro.pipeline.notebook_params import (
    ParameterError,
    parse_cli_value,
    specs_from_notebook,
    validate,
)

PARAMETERS = '''k: int = 3  # pieces (allowed: ≥ 1)
rate: float = 0.5  # a rate (allowed: 0..1)
name: str = "deepmind"  # protocol (allowed: deepmind | pykan_tutorial)
seeds: list[int] = [1, 2]  # seeds (allowed: non-empty, ≥ 0)
widths: list[int] = [3, 3]  # widths (allowed: len ≥ 2)
flag: bool = False  # a switch
'''


@pytest.fixture
def specs(tmp_path):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell(PARAMETERS)
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell, nbformat.v4.new_code_cell("print(k)")]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook, path)
    return specs_from_notebook(path)


def test_specs_are_read_from_the_parameters_cell(specs):
    assert set(specs) == {"k", "rate", "name", "seeds", "widths", "flag"}
    assert specs["k"].type_name == "int" and specs["k"].terms == ["≥ 1"]
    assert specs["name"].terms == ["deepmind | pykan_tutorial"]


def test_good_values_pass(specs):
    validate({"k": 4, "rate": 1, "name": "pykan_tutorial", "seeds": [0], "widths": [1, 2, 3], "flag": True}, specs)


@pytest.mark.parametrize("values, message", [
    ({"no_such": 1}, "unknown parameter 'no_such'"),
    ({"k": -3}, "parameter 'k' = -3 is not allowed"),
    ({"k": 2.5}, "parameter 'k' must be of type int"),
    ({"k": True}, "parameter 'k' must be of type int"),
    ({"rate": 1.5}, "parameter 'rate' = 1.5 is not allowed"),
    ({"name": "adam"}, "deepmind | pykan_tutorial"),
    ({"seeds": []}, "non-empty"),
    ({"seeds": [1, -1]}, "parameter 'seeds'"),
    ({"seeds": ["a"]}, "must be of type list[int]"),
    ({"widths": [3]}, "len ≥ 2"),
    ({"flag": "yes"}, "must be of type bool"),
])
def test_bad_values_are_named(specs, values, message):
    with pytest.raises(ParameterError) as error:
        validate(values, specs)
    assert message in str(error.value)
    name = next(iter(values))
    if name in specs:  # the message also says what the parameter accepts
        assert specs[name].describe() in str(error.value)
    else:  # and an unknown name lists the known ones
        assert "accepts: flag, k, name, rate, seeds, widths" in str(error.value)


def test_cli_values_parse_as_yaml():
    assert parse_cli_value("3") == 3 and parse_cli_value("0.5") == 0.5
    assert parse_cli_value("[1, 2]") == [1, 2] and parse_cli_value("abc") == "abc"
    assert parse_cli_value("true") is True
    assert json.dumps(parse_cli_value("{a: 1}")) == '{"a": 1}'


def test_a_parameter_papermill_would_skip_is_an_error(tmp_path):
    notebook = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("k: int = 3  # pieces, k = 3 by default\nseed: int = 0  # a seed")
    cell.metadata["tags"] = ["parameters"]
    notebook.cells = [cell]
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    path = tmp_path / "nb.ipynb"
    nbformat.write(notebook, path)
    with pytest.raises(ParameterError, match="cannot parse the parameter line.* of k"):
        specs_from_notebook(path)
