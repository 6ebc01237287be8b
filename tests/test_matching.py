"""kanrepro.knots.matching: the repetition share a 15,000-row sample of a file is expected to have."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kanrepro.knots.dataset import FEATURES
from kanrepro.knots.matching import expected_repeated_share, repeated_share


@pytest.fixture(scope="module")
def skewed() -> pd.DataFrame:
    """2,000 rows drawn from 400 feature vectors with Zipf-like frequencies (a few knots drawn often)."""
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(400, len(FEATURES)))
    weights = 1.0 / np.arange(1, 401)
    rows = rng.choice(400, size=2_000, p=weights / weights.sum())
    return pd.DataFrame(vectors[rows], columns=FEATURES)


def test_the_expected_share_is_the_mean_over_random_samples(skewed: pd.DataFrame) -> None:
    k, draws = 300, 3_000
    rng = np.random.default_rng(1)
    shares = np.array([repeated_share(skewed.iloc[rng.choice(len(skewed), k, replace=False)])
                       for _ in range(draws)])
    standard_error = shares.std() / np.sqrt(draws)
    assert abs(shares.mean() - expected_repeated_share(skewed, k)) < 4 * standard_error


def test_the_whole_file_and_one_row_are_exact(skewed: pd.DataFrame) -> None:
    assert expected_repeated_share(skewed, len(skewed)) == pytest.approx(repeated_share(skewed), abs=1e-12)
    assert expected_repeated_share(skewed, 1) == 0.0


def test_a_sample_larger_than_the_file_is_refused(skewed: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"sample_rows must be 1\.\.2000 "):
        expected_repeated_share(skewed, 2_001)
