"""Per-knot results -> the shipped table (originals + mirrors) and its JSON manifest.

Table: ``ID_COLUMNS + FEATURES + [TARGET]``, rows in census order, each knot followed by its mirror;
written as gzip with a fixed mtime so the bytes depend only on the values.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kanrepro.knots.dataset import (
    FEATURES,
    ID_COLUMNS,
    TARGET,
    manifest_path,
    validate_frame,
)
from kanrepro.knots.invariants import mirror_row
from kanrepro.knots.orbit import ORBIT_SEARCH_VERSION
from kanrepro.results import atomic_write_text

PACKAGES = ["snappy", "snappy_manifolds", "snappy_15_knots", "spherogram", "knot_floer_homology",
            "python-flint", "database_knotinfo", "dask", "distributed", "pandas", "numpy", "scipy"]


def package_versions() -> dict[str, str]:
    """Installed versions of the packages the values depend on."""
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def frame_from_results(results: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows of every ``ok`` result and its mirror, in order; columns ID + FEATURES + TARGET."""
    rows = []
    for res in results:
        if res["status"] == "ok":
            rows.append(res["row"])
            rows.append(mirror_row(res["row"]))
    frame = pd.DataFrame(rows, columns=ID_COLUMNS + FEATURES + [TARGET])
    return validate_frame(frame, source="build")


def csv_gz_bytes(frame: pd.DataFrame) -> bytes:
    """Deterministic gzip of the CSV text (mtime 0, no file name)."""
    text = frame.to_csv(index=False, lineterminator="\n").encode()
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as handle:
        handle.write(text)
    return buf.getvalue()


def knotinfo_checks(frame: pd.DataFrame) -> dict[str, Any]:
    """Signature agreement with KnotInfo, torsion degree == 4g - 2, natural slope correlation."""
    from kanrepro.knots.census import knotinfo_signature_genus

    originals = frame[frame["mirror"] == 0]
    agree = genus_ok = found = 0
    disagreements, not_found, genus_bad = [], [], []
    columns = (originals["name"], originals[TARGET], originals["hyperbolic_torsion_degree"])
    for name, sig, tor in zip(*columns, strict=True):
        ref = knotinfo_signature_genus(name)
        if ref is None:
            not_found.append(name)
            continue
        found += 1
        if ref[0] == sig:
            agree += 1
        else:
            disagreements.append({"name": name, "ours": int(sig), "knotinfo": ref[0]})
        if tor == 4 * ref[1] - 2:
            genus_ok += 1
        else:
            genus_bad.append({"name": name, "torsion_degree": int(tor), "genus": ref[1]})
    mu = frame["meridinal_translation_real"] + 1j * frame["meridinal_translation_imag"]
    slope = np.real(frame["longitudinal_translation"] / mu)
    corr = float(np.corrcoef(slope, 2 * frame[TARGET])[0, 1]) if len(frame) > 2 else float("nan")
    return {
        "knotinfo_found": found,
        "knotinfo_signature_agreement": agree / found if found else float("nan"),
        "knotinfo_signature_disagreements": disagreements,
        "knotinfo_not_found": not_found,
        "torsion_degree_eq_4g_minus_2": genus_ok / found if found else float("nan"),
        "torsion_degree_mismatches": genus_bad,
        "natural_slope_vs_2sigma_corr": corr,
    }


def assemble(results: list[dict[str, Any]], out: Path, config: dict[str, Any],
             wall_seconds: float = 0.0) -> dict[str, Any]:
    """Write ``out`` (.csv.gz) and ``<out stem>.manifest.json``; return the manifest."""
    frame = frame_from_results(results)
    data = csv_gz_bytes(frame)
    by_status: dict[str, list[str]] = {}
    for res in results:
        by_status.setdefault(res["status"], []).append(res["name"])
    fallbacks = [{"name": r["name"], "geodesic_method": r["diag"]["geodesic_method"],
                  "retried_after_timeout": r["diag"].get("retried_after_timeout", False)}
                 for r in results if r["status"] == "ok"
                 and not r["diag"]["geodesic_method"].startswith("dirichlet:variant")]
    diags = [r["diag"] for r in results if r["status"] == "ok"]
    timing = {k: float(np.sum([d.get(k, 0.0) for d in diags]))
              for k in ("t_features", "t_torsion", "t_geodesic", "t_words_refresh")}
    manifest = {
        "file": out.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "n_rows": len(frame),
        "n_knots": int((frame["mirror"] == 0).sum()),
        "n_requested": len(results),
        "rows_by_crossings": {int(k): int(v) for k, v in frame.groupby("crossings").size().items()},
        "n_excluded_nonhyperbolic": len(by_status.get("nonhyperbolic", [])),
        "excluded_nonhyperbolic": by_status.get("nonhyperbolic", []),
        "failed": [{"name": r["name"], "status": r["status"], "error": r.get("error", "")}
                   for r in results if r["status"] in ("error", "timeout")],
        "n_geodesic_fallbacks": sum(1 for f in fallbacks if not f["geodesic_method"].startswith("dirichlet")),
        "geodesic_methods": _count(d["geodesic_method"].split(":")[0] + ":"
                                   + d["geodesic_method"].split(":")[-1].rstrip("0123456789") for d in diags),
        "geodesic_fallbacks": [f for f in fallbacks if not f["geodesic_method"].startswith("dirichlet")],
        "geodesic_fallback_note": ("method 'words' = orbit search in the high-precision holonomy (kanrepro.knots."
                                   "orbit), used when no Dirichlet domain was found; NOT certified: it can miss "
                                   "the shortest geodesic (then the value is too long). Measured agreement with "
                                   "Dirichlet values (--crosscheck) and length_spectrum_alt (--exact-check): "
                                   "benchmarks/bench_knots.py (reports/bench.json)."),
        "orbit_search_version": ORBIT_SEARCH_VERSION,
        "cpu_seconds": timing,
        "wall_seconds_this_run": wall_seconds,  # assembly-only reruns are fast; see cpu_seconds
        "config": config,
        "versions": package_versions(),
        "columns": list(frame.columns),
    }
    manifest.update(knotinfo_checks(frame))
    out.parent.mkdir(parents=True, exist_ok=True)
    # manifest first: a build killed in between leaves a data file the loader refuses (SHA mismatch), never
    # a data file that passes with a stale manifest
    atomic_write_text(manifest_path(out), json.dumps(manifest, indent=2, default=float) + "\n")
    manifest_path(out).chmod(0o644)
    if not (out.exists() and out.read_bytes() == data):  # same bytes: keep the mtime (make's notebooks stay done)
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(out)
    return manifest


def _count(items: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return dict(sorted(out.items()))
