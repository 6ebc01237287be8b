"""Worker process: reads jobs on stdin, writes one JSON line per job on stdout.

Run as ``python -m kanrepro.knots.worker [--geodesic fast|exact|words]``; the parent enforces a
wall-clock timeout per job and kills/restarts this process when the C code hangs. A job is a census name
(one census knot's row) or a JSON object: ``{"draw": i, "seed": s, "recipe": {...}}`` (row ``i`` of a
random-diagram build, :mod:`kanrepro.knots.draws`) or ``{"features": key, "ukey": ..., "name": ...,
"pd": [...], "crossings": c}`` (the features of one random knot, :mod:`kanrepro.knots.random_build`).
"""
from __future__ import annotations

import argparse
import json
import sys
import traceback
from typing import Any

from kanrepro.knots.invariants import NotHyperbolic, knot_row

IDENTITIES: dict[str, Any] = {}  # ukey -> census identity, shared by the draws this process makes


def _error(err: Exception) -> str:
    tail = traceback.format_exc(limit=2).splitlines()[-1]
    return f"{type(err).__name__}: {err} | {tail}"


def compute(name: str, geodesic: str) -> dict:
    """One census knot -> {"name", "status": ok|nonhyperbolic|error, "row", "diag", "error"}."""
    try:
        row, diag = knot_row(name, geodesic_method=geodesic)
        return {"name": name, "status": "ok", "row": row, "diag": diag}
    except NotHyperbolic as err:
        return {"name": name, "status": "nonhyperbolic", "error": str(err)}
    except Exception as err:  # noqa: BLE001  # reported per knot in the manifest, never imputed
        return {"name": name, "status": "error", "error": _error(err)}


def compute_job(job: dict[str, Any], geodesic: str) -> dict[str, Any]:
    """A random-build job (draw or features) -> its result, ``status`` ok|error."""
    from kanrepro.knots import draws, random_features

    label = f"draw {job['draw']}" if "draw" in job else job["features"]
    try:
        if "draw" in job:
            recipe = draws.Recipe(**job["recipe"])
            return {"name": label, "status": "ok",
                    "draw": draws.draw_row(job["seed"], job["draw"], recipe, IDENTITIES)}
        return {"name": label, "status": "ok", **random_features.features(job, geodesic)}
    except Exception as err:  # noqa: BLE001  # reported per job in the manifest, never imputed
        return {"name": label, "status": "error", "error": _error(err), "job": job}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--geodesic", default="fast", choices=["fast", "exact", "words"])
    args = parser.parse_args()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        text = line.strip()
        if text.startswith("{"):
            print(json.dumps(compute_job(json.loads(text), args.geodesic)), flush=True)
        elif text:
            print(json.dumps(compute(text, args.geodesic)), flush=True)


if __name__ == "__main__":
    main()
