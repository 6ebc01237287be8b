"""Draws + per-knot features -> the shipped random-diagram file (one line per distinct oriented knot, with
the rows it fills) and its manifest (recipe, reference match, validation, failures, timings)."""
from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kanrepro.knots.assemble import csv_gz_bytes, manifest_path, package_versions
from kanrepro.knots.dataset import (
    FEATURES,
    TARGET,
    TRUE_DEGREES,
    expand_draws,
    validate_frame,
)
from kanrepro.knots.invariants import mirror_row
from kanrepro.knots.random_build import distinct_knots
from kanrepro.knots.random_resume import SEEDED_METHOD
from kanrepro.knots.zero_rule import COLUMNS as ZERO_COLUMNS
from kanrepro.knots.zero_rule import probit_coefficients, stored_as_zero
from kanrepro.results import atomic_write_text

COMPACT_ID = ["knot_id", "key", "ukey", "name", "mirror", "crossings"]


def _oriented_rows(draws: list[dict[str, Any]], computed: dict[str, dict[str, Any]],
                   census_rows: dict[tuple[str, int], dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], list]:
    """Row per oriented key (true torsion degrees, signature of the row's orientation), and the draws left
    without a row (their knot's features failed)."""
    first: dict[str, dict[str, Any]] = {}
    rows: dict[str, dict[str, Any]] = {}
    missing = []
    for draw in draws:
        lead = first.setdefault(draw["ukey"], draw)
        if draw["key"] in rows:
            continue
        if (draw["name"], draw["census_mirror"]) in census_rows:
            row = dict(census_rows[(draw["name"], draw["census_mirror"])], genus=None, source="census_file")
        elif lead["key"] in computed:
            base = computed[lead["key"]]
            row = dict(base["row"]) if draw["key"] == lead["key"] else mirror_row(base["row"])
            row["genus"], row["source"] = base.get("genus"), "computed"
            row["mirror"] = draw["census_mirror"] if draw["name"] else int(draw["key"] != lead["key"])
        else:
            missing.append(draw)
            continue
        row.update(key=draw["key"], name=draw["name"])  # knot_id and ukey below, once every knot is numbered
        if not draw["name"]:
            row["crossings"] = lead["crossings"]
        rows[draw["key"]] = row
    ids = {ukey: i for i, ukey in enumerate(first)}
    for draw in draws:
        if draw["key"] in rows:
            rows[draw["key"]]["knot_id"] = ids[draw["ukey"]]
            rows[draw["key"]]["ukey"] = draw["ukey"]
    return rows, missing


def compact_frame(draws: list[dict[str, Any]], rows: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One line per distinct oriented knot: ids, true degrees, 17 features (zero rule applied), signature,
    ``draws`` (row positions, space-separated) and ``draw_crossings`` (each draw's diagram crossings)."""
    positions: dict[str, list[str]] = {}
    crossings: dict[str, list[str]] = {}
    for position, draw in enumerate(d for d in draws if d["key"] in rows):
        positions.setdefault(draw["key"], []).append(str(position))
        crossings.setdefault(draw["key"], []).append(str(draw["crossings"]))
    lines = []
    for key, row in rows.items():
        line = {c: row[c] for c in COMPACT_ID}
        for column in ZERO_COLUMNS:
            true, value = f"true_{column}", row[column]
            line[true] = -1 if value is None else int(value)
            line[column] = 0 if stored_as_zero(column, row["volume"], row["ukey"]) else line[true]
            if line[column] == -1:
                raise ValueError(f"{key}: {column} was skipped but the zero rule keeps it")
        line.update({c: row[c] for c in FEATURES if c not in ZERO_COLUMNS})
        line[TARGET] = row[TARGET]
        line["draws"] = " ".join(positions[key])
        line["draw_crossings"] = " ".join(crossings[key])
        lines.append(line)
    frame = pd.DataFrame(lines)
    return frame[COMPACT_ID + TRUE_DEGREES + FEATURES + [TARGET, "draws", "draw_crossings"]]


def validation(draws: list[dict[str, Any]], rows: dict[str, dict[str, Any]], full: pd.DataFrame) -> dict[str, Any]:
    """Signature vs KnotInfo (identified knots <= 13 crossings, chirality from the census mirror flag),
    torsion degree == 4g - 2, each draw's signature vs its row's, natural slope correlation."""
    from kanrepro.knots.census import crossings_of, knotinfo_signature_genus

    checked = agree = genus_checked = genus_ok = 0
    bad_sig, bad_genus, bad_draw = [], [], []
    for key, row in rows.items():
        name, genus = row["name"], row.get("genus")
        if name and crossings_of(name) <= 13:
            ref = knotinfo_signature_genus(name)
            if ref is not None:
                checked += 1
                expected = ref[0] * (-1 if row["mirror"] else 1)
                agree += int(expected == row[TARGET])
                if expected != row[TARGET]:
                    bad_sig.append({"name": name, "mirror": row["mirror"], "ours": row[TARGET], "knotinfo": expected})
                genus = ref[1]
        if genus is not None and row["hyperbolic_torsion_degree"] is not None:
            genus_checked += 1
            genus_ok += int(row["hyperbolic_torsion_degree"] == 4 * genus - 2)
            if row["hyperbolic_torsion_degree"] != 4 * genus - 2:
                bad_genus.append({"key": key, "name": name, "torsion": row["hyperbolic_torsion_degree"],
                                  "genus": genus})
    for draw in draws:
        if draw["key"] in rows and draw["signature"] != rows[draw["key"]][TARGET]:
            bad_draw.append({"index": draw["index"], "key": draw["key"], "draw": draw["signature"]})
    mu = full["meridinal_translation_real"] + 1j * full["meridinal_translation_imag"]
    slope = np.real(full["longitudinal_translation"] / mu)
    return {
        "knotinfo_checked_knots": checked,
        "knotinfo_signature_agreement": agree / checked if checked else None,
        "knotinfo_signature_disagreements": bad_sig,
        "torsion_checked_knots": genus_checked,
        "torsion_degree_eq_4g_minus_2": genus_ok / genus_checked if genus_checked else None,
        "torsion_degree_mismatches": bad_genus,
        "draw_signature_mismatches": bad_draw,
        "natural_slope_vs_signature_corr": float(np.corrcoef(slope, full[TARGET])[0, 1]),
    }


def assemble_random(draw_results: list[dict[str, Any]], feature_results: list[dict[str, Any]],
                    census: pd.DataFrame, out: Path, config: dict[str, Any],
                    wall_seconds: float = 0.0) -> dict[str, Any]:
    """Write ``out`` (compact .csv.gz) and its manifest; return the manifest. The manifest is written first
    (it names the data's SHA-256), so a data file never lands without the manifest that describes it."""
    from kanrepro.knots.matching import match_report

    draws = [r["draw"] for r in draw_results if r["status"] == "ok"]
    computed = {r["key"]: r for r in feature_results if r["status"] == "ok"}
    census_rows = {(r["name"], int(r["mirror"])): r for r in census.to_dict("records")}
    rows, missing = _oriented_rows(draws, computed, census_rows)
    compact = compact_frame(draws, rows)
    data = csv_gz_bytes(compact)
    full = expand_draws(compact)
    validate_frame(full, source="build")
    # the feature results behind the file's computed rows, one per knot (its first draw's orientation); in a
    # resumed build, those of earlier knots were seeded from the shipped file (random_resume) with no timings
    leads = {draw["ukey"]: draw["key"] for draw in distinct_knots(draws)}
    used = [computed[leads[u]] for u in sorted({r["ukey"] for r in rows.values() if r["source"] == "computed"})]
    diags = [r["diag"] for r in used]
    seeded = sum(d["geodesic_method"] == SEEDED_METHOD for d in diags)
    manifest = {
        "file": out.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "layout": "one line per distinct oriented knot; 'draws' lists the row positions it fills "
                  "(kanrepro.knots.dataset.load_dataset expands it to one row per draw)",
        "n_rows": len(full),
        "n_knots": int(full["knot_id"].nunique()),
        "n_oriented_knots": len(compact),
        "n_failed": len(draw_results) - len(draws) + len(missing),
        "failed_draws": [{k: r.get(k) for k in ("name", "status", "error")} for r in draw_results
                         if r["status"] != "ok"],
        "failed_features": [{k: r.get(k) for k in ("name", "status", "error")} for r in feature_results
                            if r["status"] != "ok"],
        "rows_without_features": len(missing),
        # which draws those are (with their diagrams): a resumed build needs them to number the rows it seeds
        "draws_without_features": missing,
        "features_retried_after_timeout": [r["key"] for r in feature_results
                                           if r.get("diag", {}).get("retried_after_timeout")],
        "geodesic_methods": dict(sorted(Counter(d["geodesic_method"] for d in diags).items())),
        "zero_rule": {c: {"probit_a_b": probit_coefficients(c),
                          "rule": "stored 0 iff z(ukey, column) < a + b * volume, z ~ N(0,1) fixed by the knot"}
                      for c in ZERO_COLUMNS},
        "computed_knots": len(used),
        "computed_knots_seeded_from_shipped_file": seeded,  # their timings are in that file's manifest
        "oriented_knots_from_census_file": sum(1 for r in rows.values() if r["source"] == "census_file"),
        "cpu_seconds_features": {k: float(np.sum([d.get(k, 0.0) for d in diags]))
                                 for k in ("t_features", "t_torsion", "t_geodesic")},
        "cpu_seconds_cover": "the knots computed in this build's feature chunks; those seeded from a shipped file "
                             "have their timings in that file's manifest",
        "wall_seconds_this_run": wall_seconds,
        "config": config,
        "versions": package_versions(),
        "columns": list(compact.columns),
    }
    manifest["validation"] = validation(draws, rows, full)
    manifest["match"] = match_report(full)
    atomic_write_text(manifest_path(out), json.dumps(manifest, indent=2, default=float) + "\n")
    manifest_path(out).chmod(0o644)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not (out.exists() and out.read_bytes() == data):
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(out)
    return manifest
