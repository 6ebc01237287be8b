"""Run one notebook with strictly checked parameters; nothing in reports/ changes unless it succeeds.

Usage::

    python -m kanrepro.pipeline.run notebooks/01_kan_is_mlp.ipynb [-c configs/smoke.yaml] [-p k=4 ...]
                           [--reports reports] [--no-html]

Parameters come from the config file's section named after the notebook stem, then ``-p`` overrides
(values parsed as YAML). Unknown names, wrong types and disallowed values fail before the kernel starts.
The notebook runs with ``KANREPRO_REPORTS`` pointing at a staging folder; on success its results,
figures, executed notebook and HTML page are moved into ``--reports``; on failure the executed notebook
is kept as ``<reports>/notebooks/<stem>.failed.ipynb`` and nothing else is touched.

Last of all, a run with the notebook's default parameters writes ``<reports>/stamps/<stem>.default``,
make's target for ``make reproduce``; any other run (other parameters, by hand, in JupyterLab) removes it,
so make reruns the notebook before its results count as the default ones.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from kanrepro.pipeline.notebook_params import (
    ParameterError,
    non_defaults,
    parse_cli_value,
    parse_yaml,
    specs_from_notebook,
    validate,
)
from kanrepro.results import DEFAULT_RUN_ENV, atomic_write_text, default_stamp
from kanrepro.train.run_cache import CACHE_ENV


def load_config(path: str | Path | None, stem: str, known_stems: list[str] | None = None) -> dict[str, Any]:
    """The parameters for notebook ``stem`` in a YAML config: ``{stem: {name: value}}``. A section naming no
    notebook of ``known_stems`` (a typo such as ``03_deepmind_mlpp``) is an error, not silently ignored."""
    if path is None:
        return {}
    import yaml

    if not Path(path).is_file():
        raise ParameterError(f"config {path}: no such file")
    try:
        config = parse_yaml(Path(path).read_text()) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ParameterError(f"config {path}: not valid YAML{where} ({getattr(err, 'problem', err)})") from None
    if not isinstance(config, dict):
        raise ParameterError(f"config {path}: expected a mapping of notebook stems to parameter mappings")
    unknown = sorted(str(k) for k in config if known_stems is not None and str(k) not in known_stems)
    if unknown:
        raise ParameterError(f"config {path}: unknown notebook section(s) {unknown}; "
                             f"known: {sorted(known_stems or [])}")
    section = config.get(stem, {}) or {}
    if not isinstance(section, dict):
        raise ParameterError(f"config {path}: section {stem!r} must be a mapping of parameter names to values")
    return dict(section)


def parse_overrides(pairs: list[str]) -> dict[str, Any]:
    """``["k=3", "name=abc"]`` -> ``{"k": 3, "name": "abc"}``."""
    values = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"-p expects key=value, got {pair!r}")
        values[name.strip()] = parse_cli_value(text)
    return values


def resolve_parameters(notebook: Path, config: str | None, overrides: list[str]) -> dict[str, Any]:
    """Merge config and overrides and check them against the notebook's parameters cell."""
    known = sorted(p.stem for p in notebook.parent.glob("[0-9]*.ipynb"))
    values = load_config(config, notebook.stem, known)
    values.update(parse_overrides(overrides))
    validate(values, specs_from_notebook(notebook))
    return values


def _move_tree(source: Path, target: Path) -> None:
    """Move every file under ``source`` to the same relative place under ``target`` (atomic per file)."""
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(path, destination)


def render_html(executed: Path, html_path: Path) -> None:
    """The executed notebook as a self-contained HTML page without code cells or stderr (progress bars).

    The executed ``.ipynb`` keeps everything; notebooks print what a reader needs to stdout.
    """
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(executed, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    body, _ = HTMLExporter(exclude_input=True).from_notebook_node(notebook)
    atomic_write_text(html_path, body)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def clean_stale_staging(reports: Path) -> list[str]:
    """Staging folders of runs whose process is gone (killed, e.g. ``kill -9``): keep each one's partly
    executed notebook as the visible failure marker ``<reports>/notebooks/<stem>.failed.ipynb`` and remove
    the folder. Folders of live runs are left alone. Returns the stems cleaned."""
    cleaned = []
    for folder in sorted((reports / ".staging").glob("*-*")):
        stem, _, pid = folder.name.rpartition("-")
        if not pid.isdigit() or _alive(int(pid)):
            continue
        staged = folder / "notebooks" / f"{stem}.ipynb"
        failed = reports / "notebooks" / f"{stem}.failed.ipynb"
        failed.parent.mkdir(parents=True, exist_ok=True)
        if staged.exists():
            os.replace(staged, failed)
        else:
            failed.write_text("{}\n")  # killed before papermill wrote anything
        shutil.rmtree(folder, ignore_errors=True)
        cleaned.append(stem)
    return cleaned


def run_notebook(notebook: Path, parameters: dict[str, Any], reports: Path, html: bool = True) -> Path:
    """Execute ``notebook`` via papermill into ``reports``; returns the executed notebook's path."""
    import papermill

    stem = notebook.stem
    for killed in clean_stale_staging(reports):
        print(f"[kanrepro.pipeline.run] a killed run of {killed} left its staging folder: kept as "
              f"{reports / 'notebooks' / (killed + '.failed.ipynb')}", file=sys.stderr)
    staging = reports / ".staging" / f"{stem}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    (staging / "notebooks").mkdir(parents=True)
    staged_notebook = staging / "notebooks" / f"{stem}.ipynb"
    failed = reports / "notebooks" / f"{stem}.failed.ipynb"
    previous = os.environ.get("KANREPRO_REPORTS"), os.environ.get(CACHE_ENV)
    os.environ["KANREPRO_REPORTS"] = str(staging.resolve())
    os.environ[CACHE_ENV] = str((reports / "cache").resolve())  # shared by notebooks (kanrepro.train.run_cache)
    default = not non_defaults(parameters, specs_from_notebook(notebook))
    os.environ[DEFAULT_RUN_ENV] = "1" if default else "0"  # results.write_results records it
    stamp = default_stamp(stem, reports)
    stamp.unlink(missing_ok=True)  # from here on, the default results are not known to be current
    start, cpu_start = time.time(), _children_cpu_seconds()
    try:
        papermill.execute_notebook(str(notebook), str(staged_notebook), parameters=parameters,
                                   kernel_name="python3", log_output=True, progress_bar=False,
                                   cwd=os.getcwd())
    except BaseException:
        failed.parent.mkdir(parents=True, exist_ok=True)
        if staged_notebook.exists():
            os.replace(staged_notebook, failed)
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        os.environ.pop(DEFAULT_RUN_ENV, None)
        for name, value in zip(("KANREPRO_REPORTS", CACHE_ENV), previous, strict=True):
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if html:
        render_html(staged_notebook, staging / "notebooks" / f"{stem}.html")
    _move_tree(staging, reports)
    shutil.rmtree(staging, ignore_errors=True)
    failed.unlink(missing_ok=True)
    if default:  # make's target, written last: everything above has landed
        atomic_write_text(stamp, f"{notebook}: default parameters, done {time.strftime('%Y-%m-%d %H:%M:%S')}\n")
    executed = reports / "notebooks" / f"{stem}.ipynb"
    print(f"[kanrepro.pipeline.run] {stem}: done in {time.time() - start:.1f} s "
          f"({_children_cpu_seconds() - cpu_start:.1f} CPU s, kernel and its processes) -> {executed}")
    return executed


def _children_cpu_seconds() -> float:
    """User + system CPU seconds of this process's finished children (the kernel, and its own processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kanrepro.pipeline.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook", type=Path, help="notebook to run, e.g. notebooks/01_kan_is_mlp.ipynb")
    parser.add_argument("-c", "--config", help="YAML file: {notebook_stem: {parameter: value}}")
    parser.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                        help="override one parameter (value parsed as YAML); repeatable")
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="output root (default: reports)")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML rendering")
    args = parser.parse_args(argv)
    if not args.notebook.is_file():
        print(f"error: notebook {args.notebook} does not exist", file=sys.stderr)
        return 2
    try:
        parameters = resolve_parameters(args.notebook, args.config, args.parameter)
    except (ParameterError, OSError) as error:
        print(f"error: {args.notebook}: {error}", file=sys.stderr)
        return 2
    try:
        run_notebook(args.notebook, parameters, args.reports, html=not args.no_html)
    except Exception as error:  # papermill's execution error already names the failing cell
        print(f"error: {args.notebook} failed; kept as {args.reports}/notebooks/{args.notebook.stem}.failed.ipynb"
              f"\n{type(error).__name__}: {str(error)[-2000:]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
