"""Render ``reports/index.html``: the claims table, figures, and links to every rendered notebook.

Usage: ``python -m kanrepro.pipeline.report [--reports reports]``. Reads only ``<reports>/results/*.json``,
``<reports>/figures/*.png``, ``<reports>/notebooks/*.html`` and ``<reports>/bench.json``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import html
import json
from pathlib import Path

from kanrepro.knots.dataset import DATASETS, DEFAULT_DATASET
from kanrepro.pipeline.claims import SENSITIVITY_NOTEBOOK, judge_all, sensitivity_rows
from kanrepro.pipeline.report_figures import claims_figure, instability_figure
from kanrepro.results import atomic_write_text, file_sha256, read_results

_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; }
table { border-collapse: collapse; width: 100%; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.4em 0.6em; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
.verdict { font-weight: 600; white-space: nowrap; }
.reproduced { color: #146c2e; } .not-reproduced { color: #a01818; }
.depends-on-seed-or-protocol { color: #9a6700; } .not-run { color: #777; }
figure { display: inline-block; margin: 0.5em; max-width: 48%; vertical-align: top; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #555; }
"""


_HOW = """<p><b>How verdicts are decided.</b> Accuracies: <i>reproduced</i> when the claimed number lies in our
95% bootstrap CI over seeds or within 1 point of our mean; <i>depends on seed or protocol</i> when, short of
that, our runs fall on both sides of it (worst ≤ claim ≤ best); <i>not reproduced</i> otherwise. Parameter
counts: reproduced when every counting convention lands within 25% of the claimed size, depends when only some do.
Rewrites: exact when outputs agree to 1e-6 relative in float64. The knot claims are judged on our rebuild of
DeepMind's file as a distribution: knots from random diagrams with their repeats (<code>random</code>, notebook 02 and
<code>data/knots_random.manifest.json</code>, which sets every statistic of DeepMind's file against ours); the
dataset-sensitivity table reruns the headline claims on the <code>census</code> of knots up to 13 crossings.
DeepMind never published its generator, so our draws match its distribution, not its rows. Pass
<code>data_path</code> to rerun on their file.</p>"""


def dataset_names(results: dict[str, dict]) -> dict[str, str]:
    """data_sha256 -> a dataset name (shipped files by name, any other file as 'other file <sha>')."""
    known = {file_sha256(p): name for name, p in DATASETS.items() if p.exists()}
    shas = {r["data_sha256"] for r in results.values() if isinstance(r.get("data_sha256"), str)}
    return {sha: known.get(sha, f"other file {sha[:10]}…") for sha in shas}


def datasets_line(results: dict[str, dict]) -> str:
    """HTML: every dataset the result files rest on, with the notebooks that used it."""
    names = dataset_names(results)
    used: dict[str, list[str]] = {}
    for stem, values in sorted(results.items()):
        sha = values.get("data_sha256")
        if isinstance(sha, str):
            label = names[sha] if names[sha].startswith("other file") else f"{names[sha]} (SHA-256 {sha[:10]}…)"
            used.setdefault(label, []).append(stem)
    if not used:
        return ""
    parts = [f"<b>{_esc(name)}</b>: {_esc(', '.join(stems))}" for name, stems in used.items()]
    return f"<p>Datasets behind these results: {'; '.join(parts)}.</p>"


def sensitivity_table(results: dict[str, dict]) -> str:
    """HTML: the headline claims on the default dataset and on notebook 07's dataset, side by side."""
    names = dataset_names(results)
    second = results.get(SENSITIVITY_NOTEBOOK, {})
    second_name = names.get(second.get("data_sha256", ""), "second dataset (not run)")
    head = (f"<tr><th>#</th><th>Claim</th><th>Source's number</th><th>Ours on {_esc(DEFAULT_DATASET)} (default)</th>"
            f"<th>Ours on {_esc(second_name)}</th></tr>")
    body = []
    for row in sensitivity_rows(results):
        cells = [f"{_esc(row[f'{side}_ours'])}<br><span class='verdict {row[f'{side}_verdict'].replace(' ', '-')}'>"
                 f"{_esc(row[f'{side}_verdict'])}</span>" for side in ("default", "second")]
        flag = " <b>(verdict differs)</b>" if row["differs"] == "True" else ""
        body.append(f"<tr><td>{_esc(row['id'])}</td><td>{_esc(row['claim'])}{flag}</td>"
                    f"<td>{_esc(row['source_value'])}</td><td>{cells[0]}</td><td>{cells[1]}</td></tr>")
    return f"<table>{head}{''.join(body)}</table>" + _untrained_sentence(second, second_name)


def _untrained_sentence(second: dict, name: str) -> str:
    """One sentence on what notebook 07's dataset's test split measures (its seen share, the lookup)."""
    acc = second.get("untrained_acc_mean", {})
    if "seen_share_mean" not in second or not acc:
        return ""
    pct = {k: f"{100 * v:.1f}%" for k, v in acc.items()}
    return (f"<p>On {_esc(name)}, {100 * second['seen_share_mean']:.0f}% of the test rows of DeepMind's split have "
            f"their knot or its mirror in training; the 1-NN lookup scores {pct.get('lookup 1-NN / deepmind', '—')} "
            f"there and {pct.get('lookup 1-NN / unseen_knots', '—')} on unseen knots, the natural-slope rule "
            f"{pct.get('natural-slope rule / deepmind', '—')} and {pct.get('natural-slope rule / unseen_knots', '—')}"
            " (notebook 07; the default dataset's figures are in claim C1m and notebook 08).</p>")


def _esc(value: object) -> str:
    return html.escape(str(value))


def provenance_marks(stems: list[str], results: dict[str, dict], names: dict[str, str]) -> list[str]:
    """Warnings for a claim row whose notebooks ran on another dataset than the default, with non-default
    parameters, or by hand (the result file's ``provenance``, ``data_sha256``; ``names`` from
    :func:`dataset_names`)."""
    marks = []
    for stem in stems:
        values = results.get(stem, {})
        sha = values.get("data_sha256")
        if isinstance(sha, str) and names.get(sha) != DEFAULT_DATASET and stem != SENSITIVITY_NOTEBOOK:
            marks.append(f"{stem} ran on {names.get(sha)}, not the default {DEFAULT_DATASET}")
        made = values.get("provenance")
        if isinstance(made, dict) and not made.get("default_parameters", False):
            marks.append(f"{stem}: non-default parameters or a hand run ({made.get('made_by')})")
    return marks


def claims_table(rows: list[dict[str, str]], results: dict[str, dict] | None = None) -> str:
    """HTML table: claim, source, source's number, ours (marked when its run is not the default one), verdict
    + why."""
    head = ("<tr><th>#</th><th>Claim</th><th>Source</th><th>Source's number</th><th>Ours (DeepMind's split)</th>"
            "<th>Verdict</th><th>Ours on unseen knots</th></tr>")
    body = []
    results = results or {}
    names = dataset_names(results)  # hashes the shipped data files: once per table, not per row
    for row in rows:
        css = row["verdict"].replace(" ", "-")
        link = f'<a href="notebooks/{_esc(row["notebook"])}.html">{_esc(row["id"])}</a>'
        marks = "".join(f"<br><span class='not-reproduced'>⚠ {_esc(m)}</span>"
                        for m in provenance_marks(row["notebooks"].split(","), results, names))
        body.append(
            f"<tr><td>{link}</td><td>{_esc(row['claim'])}</td><td>{_esc(row['source'])}</td>"
            f"<td>{_esc(row['source_value'])}</td><td>{_esc(row['ours'])}{marks}</td>"
            f"<td><span class='verdict {css}'>{_esc(row['verdict'])}</span><br>{_esc(row['why'])}</td>"
            f"<td>{_esc(row.get('unseen', ''))}</td></tr>")
    return f"<table>{head}{''.join(body)}</table>"


def build_report(reports: Path) -> Path:
    """Write ``<reports>/index.html`` atomically; returns its path."""
    from kanrepro.pipeline.run import clean_stale_staging

    clean_stale_staging(reports)  # a killed run shows up below as a failed one
    results = read_results(reports)
    stability = instability_figure(results, reports)
    judged = judge_all(results)
    glance = claims_figure(results, reports, {row["id"]: row["verdict"] for row in judged})
    notebooks = sorted((reports / "notebooks").glob("*.html"))
    figures = sorted((reports / "figures").glob("*.png"))
    failed = sorted((reports / "notebooks").glob("*.failed.ipynb"))
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>kanrepro report</title>"
             f"<style>{_STYLE}</style></head><body>",
             "<h1>kanrepro: the KAN vs MLP claims, rerun</h1>",
             f"<p>Generated {dt.datetime.now().strftime('%Y-%m-%d %H:%M')} from {len(results)} result file(s). "
             "Source numbers are quoted from the papers, READMEs and notebooks named in each row; "
             "ours come from the notebooks linked in the first column.</p>", datasets_line(results),
             (f"<figure style='max-width:95%'><img src='figures/{glance.name}' alt='every accuracy claim against "
              "our reruns'></figure>" if glance is not None else ""),
             "<h2>Claims</h2>", claims_table(judged, results), _HOW,
             ("<h2>Dataset sensitivity</h2><p>The headline knot claims, same code, protocols and seeds, on the "
              "default dataset (notebooks 03–05) and on a second one (notebook 07).</p>"), sensitivity_table(results)]
    if stability is not None:
        parts.append("<h2>Stability over seeds (claim C1n)</h2><figure style='max-width:80%'>"
                     f"<img src='figures/{stability.name}' alt='accuracy per seed, KAN vs MLP'></figure>")
    if failed:
        names = ", ".join(_esc(p.name) for p in failed)
        parts.append(f"<p class='not-reproduced'>Failed notebook runs kept for inspection: {names}</p>")
    parts.append("<h2>Notebooks</h2><ul>")
    for page in notebooks:
        wall = results.get(page.stem, {}).get("wall_seconds")
        timing = f" ({float(wall):.0f} s)" if isinstance(wall, (int, float)) else ""
        parts.append(f"<li><a href='notebooks/{_esc(page.name)}'>{_esc(page.stem)}</a>{timing}</li>")
    parts.append("</ul><h2>Figures</h2>")
    for figure in figures:
        parts.append(f"<figure><a href='figures/{_esc(figure.name)}'><img src='figures/{_esc(figure.name)}' "
                     f"alt='{_esc(figure.stem)}'></a><figcaption>{_esc(figure.stem)}</figcaption></figure>")
    bench = reports / "bench.json"
    if bench.exists():
        parts.append(f"<h2>Benchmarks</h2><pre>{_esc(json.dumps(json.loads(bench.read_text()), indent=2))}</pre>")
    parts.append("</body></html>")
    return atomic_write_text(reports / "index.html", "\n".join(parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kanrepro.pipeline.report", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=Path, default=Path("reports"), help="reports root (default: reports)")
    args = parser.parse_args(argv)
    print(f"[kanrepro.pipeline.report] wrote {build_report(args.reports)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
