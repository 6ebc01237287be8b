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


def small_frame(n: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f: rng.normal(size=n) for f in FEATURES})
    for f in FEATURES:
        if f.startswith("Symmetry_") or "torsion" in f:
            frame[f] = 0
    frame["Symmetry_D4"] = 1
    frame["hyperbolic_torsion_degree"] = 6
    frame[TARGET] = [0, 2, -2, 4, 0, -4][:n]
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
