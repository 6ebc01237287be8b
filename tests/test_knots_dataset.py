"""The DeepMind-CSV loader: round trip through our writer, and clear errors on broken files."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kanrepro.knots.dataset import (
    FEATURES,
    ID_COLUMNS,
    TARGET,
    load_dataset,
    write_deepmind_csv,
)


def small_frame(n: int = 8) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f: rng.uniform(0.01, 0.24, size=n) for f in FEATURES})  # inside every PLAUSIBLE range
    for f in FEATURES:
        if f.startswith("Symmetry_") or "torsion" in f:
            frame[f] = 0
    frame["Symmetry_D4"] = 1
    frame["hyperbolic_torsion_degree"] = 6
    frame[TARGET] = [0, 2, -2, 4, 0, -4, 2, 0][:n]
    return frame


def test_feature_names_are_deepminds() -> None:
    assert len(FEATURES) == 17 and FEATURES[0] == "chern_simons" and FEATURES[-1] == "volume"
    assert "meridinal_translation_real" in FEATURES and "Symmetry_Z/2 + Z/2" in FEATURES


def test_round_trip(tmp_path: Path) -> None:
    frame = small_frame()
    path = write_deepmind_csv(frame, tmp_path / "dm.csv")
    header = path.read_text().splitlines()[0]
    assert header == "," + ",".join(FEATURES + [TARGET])
    loaded = load_dataset(path)
    assert list(loaded.columns) == FEATURES + [TARGET]
    pd.testing.assert_frame_equal(loaded, frame[FEATURES + [TARGET]], check_dtype=False)


def test_columns_any_order(tmp_path: Path) -> None:
    frame = small_frame()[list(reversed(FEATURES)) + [TARGET]]
    path = tmp_path / "rev.csv"
    frame.to_csv(path)
    assert list(load_dataset(path).columns) == FEATURES + [TARGET]


def test_missing_column_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    small_frame().drop(columns=["volume"]).to_csv(path)
    with pytest.raises(ValueError, match="volume"):
        load_dataset(path)


def test_bad_value_names_column_and_row(tmp_path: Path) -> None:
    path = write_deepmind_csv(small_frame(), tmp_path / "dm.csv")
    lines = path.read_text().splitlines()
    cells = lines[3].split(",")
    cells[1 + FEATURES.index("cusp_volume")] = "oops"
    lines[3] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"cusp_volume.*\[2\]"):
        load_dataset(path)


def test_odd_signature_rejected(tmp_path: Path) -> None:
    frame = small_frame()
    frame.loc[4, TARGET] = 3
    path = write_deepmind_csv(frame, tmp_path / "odd.csv")
    with pytest.raises(ValueError, match=r"signature.*\[4\]"):
        load_dataset(path)


def test_our_builder_output_loads(tmp_path: Path) -> None:
    pytest.importorskip("snappy")
    from kanrepro.knots.assemble import frame_from_results
    from kanrepro.knots.worker import compute

    results = [compute(n, "fast") for n in ("K3a1", "K4a1", "K6a3")]
    assert results[0]["status"] == "nonhyperbolic"
    frame = frame_from_results(results)
    assert list(frame.columns) == ID_COLUMNS + FEATURES + [TARGET]
    assert len(frame) == 4 and not frame.isna().any().any()
    path = write_deepmind_csv(frame, tmp_path / "ours.csv")
    loaded = load_dataset(path)
    np.testing.assert_array_equal(loaded[TARGET].to_numpy(), frame[TARGET].to_numpy())
    np.testing.assert_allclose(loaded[FEATURES].to_numpy(float), frame[FEATURES].to_numpy(float), rtol=0, atol=0)


@pytest.mark.parametrize("column,value,message", [
    ("volume", 1e308, r"'volume': value\(s\) outside the plausible range \[0, 1000\] in row\(s\) \[3\]"),
    ("short_geodesic_imag_part", 7.0, r"short_geodesic_imag_part.*\[3\]"),
    (TARGET, 2_000_000, r"\|signature\| above 100 in row\(s\) \[3\]"),
])
def test_implausible_values_are_refused_by_column_and_row(tmp_path: Path, column, value, message) -> None:
    """Issue 12: one volume of 1e308 overflowed the z-scoring; one signature of 2e6 built 10^6 classes."""
    frame = small_frame()
    frame.loc[3, column] = value
    with pytest.raises(ValueError, match=message):
        load_dataset(write_deepmind_csv(frame, tmp_path / "bad.csv"))


def test_a_single_class_or_tiny_file_is_refused_before_training(tmp_path: Path) -> None:
    """Issue 12: a single-class file failed inside training with 'zero-size array'."""
    from kanrepro.experiment.knot_runs import load_knots

    frame = small_frame()
    frame[TARGET] = 2
    with pytest.raises(ValueError, match=r"one.csv: 8 row\(s\) with 1 signature value"):
        load_knots(str(write_deepmind_csv(frame, tmp_path / "one.csv")))
    with pytest.raises(ValueError, match=r"tiny.csv: 3 row\(s\)"):
        load_knots(str(write_deepmind_csv(small_frame(3), tmp_path / "tiny.csv")))
    assert len(load_knots(str(write_deepmind_csv(small_frame(), tmp_path / "ok.csv")))[0]) == 8


def test_empty_truncated_and_malformed_files_give_one_line(tmp_path: Path) -> None:
    import gzip

    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty.csv: the file is empty"):
        load_dataset(empty)
    whole = gzip.compress(write_deepmind_csv(small_frame(), tmp_path / "ok.csv").read_bytes())
    truncated = tmp_path / "cut.csv.gz"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ValueError, match="cut.csv.gz: not a readable CSV"):
        load_dataset(truncated)
    malformed = tmp_path / "quote.csv"
    malformed.write_text('a,b\n1,2\n"x')
    with pytest.raises(ValueError, match="quote.csv: not a readable CSV"):
        load_dataset(malformed)
