"""Build machinery: worker timeout, atomic resumable chunks, Dask run, deterministic output."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

pytest.importorskip("snappy")

from kanrepro.knots.build import KnotWorker, build, chunk_dir_for, run_chunk
from kanrepro.knots.dataset import FEATURES, load_dataset


def test_worker_timeout_then_recovers() -> None:
    worker = KnotWorker()
    try:
        slow = worker.compute("K12n242", timeout=0.001)
        assert slow["status"] == "timeout"
        ok = worker.compute("K4a1", timeout=60)  # a fresh process after the kill
        assert ok["status"] == "ok" and ok["row"]["hyperbolic_torsion_degree"] == 2
    finally:
        worker.stop()


def test_chunk_is_atomic_and_skipped_when_done(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    run_chunk(str(path), ["K3a1", "K4a1"], timeout=60)
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert [x["status"] for x in lines] == ["nonhyperbolic", "ok"]
    assert not list(tmp_path.glob(".*tmp"))
    stamp = path.stat().st_mtime_ns
    run_chunk(str(path), ["K3a1", "K4a1"], timeout=60)
    assert path.stat().st_mtime_ns == stamp


def test_build_resumes_and_is_deterministic(tmp_path: Path) -> None:
    out = tmp_path / "k.csv.gz"
    m1 = build(max_crossings=7, workers=2, out=out, progress=False)
    assert m1["excluded_nonhyperbolic"] == ["K3a1", "K5a2", "K7a7"]  # the torus knots 3_1, 5_1, 7_1
    data1 = out.read_bytes()
    chunks = sorted(chunk_dir_for(out).rglob("*.jsonl"))
    assert chunks and chunk_dir_for(out).parent == tmp_path
    chunks[-1].unlink()  # as if killed before the last chunk was written
    m2 = build(max_crossings=7, workers=1, out=out, progress=False)
    assert out.read_bytes() == data1 and m2["sha256"] == m1["sha256"]
    frame = load_dataset(out)
    assert len(frame) == 2 * m1["n_knots"] and not frame[FEATURES].isna().any().any()
    assert m1["knotinfo_signature_agreement"] == 1.0
    with gzip.open(out, "rt") as handle:
        assert handle.readline().strip().split(",")[:3] == ["name", "crossings", "mirror"]


def test_verify_detects_tampering(tmp_path: Path) -> None:
    import pandas as pd

    from kanrepro.knots.assemble import frame_from_results
    from kanrepro.knots.verify import verify
    from kanrepro.knots.worker import compute

    frame = frame_from_results([compute(n, "fast") for n in ("K4a1", "K5a1", "K6a2")])
    good = tmp_path / "good.csv.gz"
    frame.to_csv(good, index=False)
    assert verify(good, sample=3)["ok"]
    bad = frame.copy()
    bad.loc[(bad["name"] == "K5a1") & (bad["mirror"] == 1), "volume"] += 1e-6
    path = tmp_path / "bad.csv.gz"
    pd.DataFrame(bad).to_csv(path, index=False)
    report = verify(path, sample=3)
    assert not report["ok"]
    assert report["mismatches"] == [{"name": "K5a1", "mirror": 1, "columns": ["volume"]}]


def test_refresh_recomputes_only_stale_fallback_rows_as_a_build_would(tmp_path: Path) -> None:
    from kanrepro.knots.refresh import is_stale, refresh_chunk
    from kanrepro.knots.worker import compute

    fresh = compute("K10a2", "fast")  # no Dirichlet domain in double precision: the orbit search
    assert fresh["diag"]["geodesic_method"] == "words" and not is_stale(fresh)
    stale = json.loads(json.dumps(fresh))
    del stale["diag"]["words_search"]  # as written by an older search
    stale["row"]["short_geodesic_real_part"] += 0.5
    certified = compute("K4a1", "fast")
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in (certified, stale)) + "\n")
    assert refresh_chunk(str(path)) == 1
    refreshed = [json.loads(x) for x in path.read_text().splitlines()]
    assert refreshed[0] == certified  # Dirichlet rows untouched
    assert refreshed[1]["row"] == fresh["row"] and not is_stale(refreshed[1])
    assert refresh_chunk(str(path)) == 0  # nothing left to do


@pytest.mark.parametrize("args,message", [
    (["build", "--max-crossings", "99"], "--max-crossings: 99 is not allowed (allowed: 4..15)"),
    (["build", "--max-crossings", "2"], "--max-crossings: 2 is not allowed (allowed: 4..15)"),
    (["build", "--sample", "-5"], "--sample: -5 is not allowed (allowed: >= 0)"),
    (["random", "--draws", "0"], "--draws: 0 is not allowed (allowed: >= 1)"),
    (["random", "--timeout", "-1"], "--timeout: -1.0 is not allowed (allowed: > 0)"),
])
def test_the_build_cli_refuses_bad_arguments_by_name(capsys, args, message):
    """Issue 12: these gave raw tracebacks, and --max-crossings 2 an empty dataset with exit 0."""
    from kanrepro.knots.__main__ import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err
