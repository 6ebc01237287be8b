"""Resume a random-diagram build in a fresh checkout: chunk files rebuilt from the shipped file.

The build's chunk files stay out of the repository (tens of MB), so a new machine starts with only the
shipped compact file and its manifest. They hold every finished row, so the draw chunks of the shipped
prefix (without diagrams, which only first draws needed) and the computed knots' features can be written
back; drawing then continues at the next chunk, and only new knots are computed. A file of another recipe
or recipe version seeds only its knots' features: a new recipe's draws start from row 0, and the knots it
shares with the file are not computed again.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from kanrepro.knots.dataset import FEATURES, TARGET, load_dataset, manifest_path
from kanrepro.knots.zero_rule import COLUMNS as ZERO_COLUMNS
from kanrepro.results import atomic_write_text

SEEDED_FEATURES = "features_from_shipped_file.jsonl"  # in the build's chunk root
SEEDED_METHOD = "from shipped file"  # the geodesic_method a seeded feature result carries


def _row(line: dict[str, Any]) -> dict[str, Any]:
    row = {c: line[c] for c in FEATURES + [TARGET, "name", "crossings", "mirror"]}
    for column in ZERO_COLUMNS:
        true = int(line[f"true_{column}"])
        row[column] = None if true == -1 else true
    return row


def seed_chunks(shipped: str | Path, root: Path, draw_chunk: int, recipe: dict[str, Any]) -> int:
    """Write the draw chunks of ``shipped``'s prefix and its knots' features under ``root`` (skipping chunk
    files that exist). Returns the number of draw chunks written. ``recipe``: the build's
    (``Recipe.to_dict()``). A file drawn by another recipe or version seeds the features alone (a knot's
    features do not depend on how it was drawn; its rows are other draws)."""
    shipped = Path(shipped)
    manifest = json.loads(manifest_path(shipped).read_text())
    if manifest["config"]["recipe"] != recipe:
        write_features(shipped, root)
        return 0
    if manifest["config"]["draw_chunk"] != draw_chunk:
        raise ValueError(f"{shipped}: built with {manifest['config']['draw_chunk']} draws per chunk, not {draw_chunk}")
    failed = {int(f["name"].split()[-1]): f for f in manifest["failed_draws"]}
    if manifest["rows_without_features"] and "draws_without_features" not in manifest:
        raise ValueError(f"{shipped}: {manifest['rows_without_features']} draws have no row, and its manifest "
                         "(written before 'draws_without_features') does not say which: resume from the build's "
                         "chunk files (--chunks) or assemble the file again from them")
    lacking = {d["index"]: d for d in manifest.get("draws_without_features", [])}  # drawn, features failed
    n_chunks, total = manifest["config"]["draw_chunks_finished"], manifest["config"]["n_draws_requested"]
    sizes = [min(draw_chunk, total - c * draw_chunk) for c in range(n_chunks)]  # as random_build.draw_chunks
    full = load_dataset(shipped)
    indices = [i for i in range(sum(sizes)) if i not in failed and i not in lacking]
    if len(indices) != len(full):
        raise ValueError(f"{shipped}: {len(full)} rows but {len(indices)} draws with features in its manifest")
    draws = []
    for index, line in zip(indices, full.to_dict("records"), strict=True):
        name = line["name"] if isinstance(line["name"], str) else ""
        draws.append({"index": index, "n": None, "tries": None, "crossings": int(line["crossings"]),
                      "key": line["key"], "ukey": line["ukey"], "signature": int(line[TARGET]), "name": name,
                      "census_mirror": int(line["mirror"]) if name else None, "pd": None})
    by_index = {d["index"]: d for d in draws} | lacking  # the lacking keep their diagrams: retried
    written = 0
    for c in range(n_chunks):
        path = root / "draws" / f"chunk_{c:05d}_{sizes[c]}.jsonl"
        if path.exists():
            continue
        lines = [{"name": f"draw {i}", "status": "ok", "draw": by_index[i]} if i in by_index else failed[i]
                 for i in range(c * draw_chunk, c * draw_chunk + sizes[c])]
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, "".join(json.dumps(x) + "\n" for x in lines))
        written += 1
    write_features(shipped, root)  # last: a file refused above leaves nothing behind
    return written


def write_features(shipped: Path, root: Path) -> None:
    """The feature results of ``shipped``'s knots, one per oriented knot, as :func:`read_seeded` reads them."""
    knots = pd.read_csv(shipped)  # one line per oriented knot: its own crossings, not a draw's diagram's
    knots["name"] = knots["name"].fillna("")
    compact = {line["key"]: line for line in knots.to_dict("records")}
    seeded = [{"status": "ok", "key": key, "row": _row(line), "genus": None,
               "diag": {"geodesic_method": SEEDED_METHOD, "t_features": 0.0}}
              for key, line in compact.items()]
    atomic_write_text(root / SEEDED_FEATURES, "".join(json.dumps(x) + "\n" for x in seeded))


def read_seeded(root: Path) -> list[dict[str, Any]]:
    """The feature results written by :func:`seed_chunks` (empty when the build did not start from a file)."""
    path = root / SEEDED_FEATURES
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []

