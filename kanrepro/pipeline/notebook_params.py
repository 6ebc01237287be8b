"""Strict notebook parameters: types from annotations, allowed values from comments.

A notebook's ``parameters`` cell is the single source of truth, e.g.::

    k: int = 3  # pieces per edge (allowed: ≥ 1)
    split_seeds: list[int] = [2]  # DeepMind split seeds (allowed: non-empty, ≥ 0)
    protocol: str = "deepmind"  # training protocol (allowed: deepmind | pykan_tutorial)

The runner checks values against these specs *before* executing (papermill only warns), and the
notebook's next cell calls :func:`check_notebook_parameters` so a value edited in JupyterLab is checked too.
Allowed-value terms, comma-separated: ``≥ x``, ``> x``, ``≤ x``, ``< x``, ``a..b`` (inclusive),
``a | b | c`` (choices), ``non-empty``, ``len ≥ n`` (lists). Write ``≥``/``≤``, not ``>=``/``<=``:
papermill skips any parameter line holding a second ``=`` (it then only warns), so no ``=`` in comments.
For lists, numeric and choice terms apply to every element.
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# papermill and nbformat load jsonschema, which imports rfc3987_syntax where installed (jupyter-events wants it)
# and so compiles 38 lark grammars: 1.1 of the 1.5 CPU s of `import papermill`, in each notebook's runner and
# kernel, only to check 'iri' string formats that no notebook field has. Blocked here (unless already loaded),
# jsonschema skips that one format check; every process of a notebook run imports this module first.
sys.modules.setdefault("rfc3987_syntax", None)

_ALLOWED = re.compile(r"\(allowed:\s*(?P<terms>[^)]*)\)")
_COMPARE = re.compile(r"^(?P<op>>=|<=|>|<)\s*(?P<num>[-+0-9.eE]+)$")
_LENGTH = re.compile(r"^len\s*(?P<op>>=|<=|>|<)\s*(?P<num>[0-9]+)$")
_RANGE = re.compile(r"^(?P<lo>[-+0-9.eE]+)\s*\.\.\s*(?P<hi>[-+0-9.eE]+)$")
_SCALARS = {"int": int, "float": float, "str": str, "bool": bool}


class ParameterError(ValueError):
    """A notebook parameter has an unknown name, a wrong type or a value outside its allowed set."""


@dataclass
class ParamSpec:
    """One notebook parameter: its declared type (e.g. 'int', 'list[int]') and allowed-value terms."""

    name: str
    type_name: str  # annotation as written; 'None' when not annotated (then any value passes)
    default: str = ""  # default as written in the notebook
    help: str = ""  # the trailing comment
    terms: list[str] = field(default_factory=list)  # allowed-value terms parsed from the comment

    def describe(self) -> str:
        allowed = f", allowed: {', '.join(self.terms)}" if self.terms else ""
        return f"{self.name}: {self.type_name}{allowed} (default {self.default})"


def specs_from_notebook(path: str | Path) -> dict[str, ParamSpec]:
    """Read the parameter specs of a notebook's ``parameters`` cell (raises if it has none)."""
    import papermill

    found = papermill.inspect_notebook(str(path))
    if not found:
        raise ParameterError(f"{path}: no cell tagged 'parameters'")
    hidden = sorted(_assigned_names(path) - set(found))
    if hidden:  # papermill skips such lines with a mere warning; a silently ignored parameter is a bug
        raise ParameterError(f"{path}: papermill cannot parse the parameter line(s) of {', '.join(hidden)}"
                             " (a second '=' on the line? write ≥/≤ and avoid '=' in comments)")
    specs = {}
    for name, info in found.items():
        help_text = info.get("help", "") or ""
        match = _ALLOWED.search(help_text)
        terms = [t.strip() for t in match.group("terms").split(",") if t.strip()] if match else []
        specs[name] = ParamSpec(name, str(info.get("inferred_type_name", "None")), str(info.get("default", "")),
                                help_text, terms)
    return specs


def _assigned_names(path: str | Path) -> set[str]:
    """Names assigned with an annotation in the notebook's ``parameters`` cell."""
    import ast

    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    cell = next(c for c in notebook.cells if "parameters" in c.metadata.get("tags", []))
    return {node.target.id for node in ast.parse(cell.source).body
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)}


def _type_ok(value: Any, type_name: str) -> bool:
    """Does ``value`` have the declared type? ints pass for floats; bools never pass for numbers."""
    type_name = type_name.replace(" ", "")
    if type_name in ("None", "Any", ""):
        return True
    if type_name.startswith("list[") and type_name.endswith("]"):
        return isinstance(value, list) and all(_type_ok(v, type_name[5:-1]) for v in value)
    if type_name in ("list", "dict"):
        return isinstance(value, {"list": list, "dict": dict}[type_name])
    if type_name.startswith("dict["):
        return isinstance(value, dict)
    expected = _SCALARS.get(type_name)
    if expected is None:
        return True  # an annotation we do not model: leave it to the notebook
    if isinstance(value, bool) and expected is not bool:
        return False
    if expected is float:
        return isinstance(value, (int, float))
    return isinstance(value, expected)


def _compare(value: float, op: str, bound: float) -> bool:
    return {">=": value >= bound, "<=": value <= bound, ">": value > bound, "<": value < bound}[op]


def _term_ok(value: Any, term: str) -> bool:
    term = term.replace("≥", ">=").replace("≤", "<=")
    if term == "non-empty":
        return len(value) > 0 if hasattr(value, "__len__") else True
    if term == "distinct":
        return len(set(map(repr, value))) == len(value) if isinstance(value, list) else True
    if (match := _LENGTH.match(term)) is not None:
        return _compare(len(value), match.group("op"), float(match.group("num")))
    if isinstance(value, list):
        return all(_term_ok(v, term) for v in value)
    if (match := _COMPARE.match(term)) is not None:
        return _compare(value, match.group("op"), float(match.group("num")))
    if (match := _RANGE.match(term)) is not None:
        return float(match.group("lo")) <= value <= float(match.group("hi"))
    choices = [c.strip().strip("'\"") for c in term.split("|")]
    return str(value) in choices


def validate(values: dict[str, Any], specs: dict[str, ParamSpec]) -> None:
    """Raise :class:`ParameterError` naming every unknown, mistyped or out-of-range parameter."""
    problems = []
    for name, value in values.items():
        if name not in specs:
            known = ", ".join(sorted(specs))
            problems.append(f"unknown parameter {name!r}; this notebook accepts: {known}")
            continue
        spec = specs[name]
        if not _type_ok(value, spec.type_name):
            problems.append(f"parameter {name!r} must be of type {spec.type_name}, got {value!r}"
                            f" ({type(value).__name__}); expected {spec.describe()}")
            continue
        failed = [t for t in spec.terms if not _term_ok(value, t)]
        if failed:
            problems.append(f"parameter {name!r} = {value!r} is not allowed ({', '.join(failed)});"
                            f" expected {spec.describe()}")
    if problems:
        raise ParameterError("; ".join(problems))


def yaml_loader() -> type:
    """A safe YAML loader that reads numbers as a person means them (YAML 1.2's core schema): ``1e3`` and
    ``1.5e-3`` are floats (YAML 1.1 made ``1e3`` a string), ``010`` is ten (1.1: octal 8), ``0x10``, ``1_000``
    and ``0o7`` are strings; everything else (lists, booleans, strings) as ``yaml.safe_load``."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_INT_TAG, _FLOAT_TAG)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    Loader.add_implicit_resolver(_INT_TAG, re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
    Loader.add_implicit_resolver(_FLOAT_TAG, re.compile(
        r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$|^\.(?:nan|NaN|NAN)$"),
        list("-+0123456789."))
    Loader.add_constructor(_INT_TAG, lambda loader, node: int(loader.construct_scalar(node), 10))
    return Loader


_INT_TAG, _FLOAT_TAG = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"


def parse_yaml(text: str) -> Any:
    """``text`` parsed with :func:`yaml_loader` (raises ``yaml.YAMLError``)."""
    import yaml

    return yaml.load(text, Loader=yaml_loader())  # a SafeLoader subclass: safe


def parse_cli_value(text: str) -> Any:
    """Parse a ``-p key=value`` value as YAML (numbers as :func:`yaml_loader` reads them): 3 -> int,
    0.5 and 1e3 -> float, 010 -> 10, [1, 2] -> list, abc -> str."""
    import yaml

    try:
        return parse_yaml(text)
    except yaml.YAMLError:
        return text


def notebook_path(stem: str) -> Path:
    """The committed notebook ``notebooks/<stem>.ipynb`` of this (editable) checkout."""
    return Path(__file__).resolve().parents[2] / "notebooks" / f"{stem}.ipynb"


def check_notebook_parameters(namespace: dict[str, Any], stem: str) -> dict[str, Any]:
    """In-notebook check: validate the current values of the notebook's parameters; returns them."""
    specs = specs_from_notebook(notebook_path(stem))
    values = {name: namespace[name] for name in specs if name in namespace}
    missing = sorted(set(specs) - set(values))
    if missing:
        raise ParameterError(f"parameters not defined in the notebook namespace: {', '.join(missing)}")
    validate(values, specs)
    return values


def non_defaults(values: dict[str, Any], specs: dict[str, ParamSpec]) -> list[str]:
    """Names in ``values`` that differ from the notebook's written default (literal defaults compared as values)."""
    import ast

    changed = []
    for name, value in values.items():
        try:
            default = ast.literal_eval(specs[name].default)
        except (KeyError, ValueError, SyntaxError):
            changed.append(name)
            continue
        if value != default or type(value) is not type(default):
            changed.append(name)
    return changed

