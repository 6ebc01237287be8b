"""kanrepro.knots.recipe_pilot: sub-recipes as exact subsets of a pilot's draws, and their scores."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from kanrepro.knots.__main__ import main
from kanrepro.knots.draws import Recipe
from kanrepro.knots.matching import REFERENCE_COLUMNS, REFERENCE_SIGNATURE
from kanrepro.knots.recipe_pilot import default_sub_recipes, parse_sub_recipe, score, score_table, sub_recipe_rows

PILOT = Recipe(n_min=24, n_max=36, min_crossings=9, max_crossings=24, version="pilot-test")


@pytest.fixture(scope="module")
def pool() -> pd.DataFrame:
    """1,000 fake draws: n and crossings spread over the pilot's ranges, 100 knots, signatures by knot."""
    rng = np.random.default_rng(0)
    knot = rng.integers(0, 100, size=1_000)
    return pd.DataFrame({"index": np.arange(1_000), "n": rng.integers(24, 37, size=1_000),
                         "crossings": rng.integers(9, 25, size=1_000), "key": [f"k{i}" for i in knot],
                         "signature": 2 * (knot % 7) - 6, "name": [f"K{i}" if i < 50 else "" for i in knot],
                         "volume": 5.0 + knot / 5.0})


def test_a_sub_recipe_keeps_exactly_the_draws_its_filters_pass(pool: pd.DataFrame) -> None:
    rows = sub_recipe_rows(pool, PILOT, n_min=26, n_max=30, max_crossings=18)
    passing = (pool.n >= 26) & (pool.n <= 30) & (pool.crossings <= 18)
    assert rows.index.equals(pool.index[passing])
    assert len(sub_recipe_rows(pool, PILOT)) == len(pool)


@pytest.mark.parametrize("narrower, message", [({"n_min": 20}, "not inside the pilot's 24..36"),
                                               ({"max_crossings": 30}, "not in the pilot's 9..24"),
                                               ({"min_crossings": 10}, "narrows only")])
def test_a_sub_recipe_outside_the_pilot_is_refused(pool: pd.DataFrame, narrower: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sub_recipe_rows(pool, PILOT, **narrower)


def test_scores_follow_the_draws(pool: pd.DataFrame) -> None:
    out = score(pool, sample_rows=1_000)
    # every knot is drawn ~10 times among 1,000 rows, so every row has a twin in the whole pool
    assert out["repeated_share"] == 1.0 and out["repeated_share_sample_rows"] == 1_000
    shares = pool.signature.value_counts(normalize=True)
    worst = max((shares.get(s, 0.0) - t for s, t in REFERENCE_SIGNATURE.items()), key=abs)
    assert out["signature_worst_error"] == pytest.approx(worst)
    target = REFERENCE_COLUMNS["volume"]
    assert out["volume_quantile_error_iqr"]["q50"] == pytest.approx(
        (np.quantile(pool.volume, 0.5) - target[5]) / (target[6] - target[4]))
    assert score(pool.iloc[:10])["repeated_share_sample_rows"] == 10  # a small pool says at what size


def test_the_table_scores_the_pilot_then_its_sub_recipes(pool: pd.DataFrame) -> None:
    table = score_table(pool, PILOT, default_sub_recipes(PILOT))
    assert list(table.index) == ["n 24..36, crossings 9..24", "n 24..30, crossings 9..24",
                                 "n 31..36, crossings 9..24", "n 24..36, crossings 9..18",
                                 "n 24..36, crossings 9..20", "n 24..36, crossings 9..22"]
    assert table["rows"].iloc[1] + table["rows"].iloc[2] == len(pool)


@pytest.mark.parametrize("text, fields", [("24..30:18", {"n_min": 24, "n_max": 30, "max_crossings": 18}),
                                          (":20", {"max_crossings": 20}), ("25..27", {"n_min": 25, "n_max": 27})])
def test_sub_recipe_text(text: str, fields: dict) -> None:
    assert parse_sub_recipe(text) == fields


@pytest.mark.parametrize("text", ["24-30", "a..b", ":", "24..30:x"])
def test_bad_sub_recipe_text_is_named(text: str) -> None:
    with pytest.raises(ValueError, match=f"sub-recipe {text!r}"):
        parse_sub_recipe(text)


def test_the_cli_refuses_a_sub_recipe_outside_the_pilot_before_drawing(capsys, tmp_path) -> None:
    with pytest.raises(SystemExit):
        main(["pilot", "--n-min", "24", "--n-max", "30", "--sub", "20..26", "--chunks", str(tmp_path)])
    assert "--sub: n 20..26 is not inside the pilot's 24..30" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_a_failed_draw_is_named_by_its_index() -> None:
    from kanrepro.knots.recipe_pilot import _draw_index

    assert _draw_index("draw 12") == 12
    assert _draw_index('{"draw": 4324, "seed": 2, "recipe": {"n_min": 22}}') == 4324


def test_a_small_pilot_draws_scores_and_resumes(tmp_path, capsys) -> None:
    out = tmp_path / "scores.json"
    argv = ["pilot", "--n-min", "20", "--n-max", "22", "--draws", "4", "--seed", "3", "--chunks", str(tmp_path),
            "--sub", "20..21", "--no-progress", "--out", str(out)]
    assert main(argv) == 0
    first = json.loads(out.read_text())
    assert first["failed_draws"] == [] and first["scores"][0]["rows"] == 4
    assert first["scores"][0]["recipe"] == "n 20..22, crossings 9..18"
    assert first["scores"][1]["rows"] <= 4
    chunk = next(tmp_path.rglob("draws/*.jsonl"))
    assert all(json.loads(line)["draw"]["volume"] > 2.0 for line in chunk.read_text().splitlines())
    stamp = chunk.stat().st_mtime_ns
    assert main(argv) == 0
    assert json.loads(out.read_text()) == first and chunk.stat().st_mtime_ns == stamp  # read back, not redrawn
