"""Worker process: reads census names on stdin, writes one JSON line per knot on stdout.

Run as ``python -m kanrepro.knots.worker [--geodesic fast|exact|words]``; the parent enforces a
wall-clock timeout per knot and kills/restarts this process when the C code hangs.
"""
from __future__ import annotations

import argparse
import json
import sys
import traceback

from kanrepro.knots.invariants import NotHyperbolic, knot_row


def compute(name: str, geodesic: str) -> dict:
    """One knot -> {"name", "status": ok|nonhyperbolic|error, "row", "diag", "error"}."""
    try:
        row, diag = knot_row(name, geodesic_method=geodesic)
        return {"name": name, "status": "ok", "row": row, "diag": diag}
    except NotHyperbolic as err:
        return {"name": name, "status": "nonhyperbolic", "error": str(err)}
    except Exception as err:  # noqa: BLE001  # reported per knot in the manifest, never imputed
        tail = traceback.format_exc(limit=2).splitlines()[-1]
        return {"name": name, "status": "error", "error": f"{type(err).__name__}: {err} | {tail}"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--geodesic", default="fast", choices=["fast", "exact", "words"])
    args = parser.parse_args()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        name = line.strip()
        if name:
            print(json.dumps(compute(name, args.geodesic)), flush=True)


if __name__ == "__main__":
    main()
