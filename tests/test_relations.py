"""The unsupervised mode (notebook 10): contrastive data as pykan's tutorial builds it, and how a network's
input set is named after the paper's three clusters."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kanrepro.experiment import relations as R
from kanrepro.pipeline import claims

SAMPLE = Path(__file__).parent / "data" / "knots_sample.csv"


def test_relations_are_named_by_the_clusters_they_contain():
    assert R.relation_of(["signature", "meridinal_translation_real", "longitudinal_translation", "volume"]) \
        == "signature ~ mu_r, lambda"
    assert R.relation_of(["cusp_volume", "longitudinal_translation", "meridinal_translation_real"]) \
        == "cusp volume = mu_r * lambda"
    assert R.relation_of(["injectivity_radius", "short_geodesic_real_part", "cusp_volume"]) \
        == "short geodesic ~ injectivity radius"
    # the signature with V, mu_r, lambda but without its own group is not the cusp-volume definition
    assert R.relation_of(["signature", "cusp_volume", "meridinal_translation_real"]) == "other"
    assert R.relation_of(["volume", "chern_simons"]) == "other"


def test_the_claims_name_the_same_clusters():
    assert [c.text.split(": ", 1)[1] for c in claims.CLAIMS if c.claim_id.startswith("C1r")] == list(R.RELATIONS)


def test_contrastive_split_shuffles_each_column_on_its_own():
    frame = pd.read_csv(SAMPLE)
    data = R.contrastive_split(frame, seed=3)
    x, y = data["train_input"].numpy(), data["train_label"].numpy()[:, 0]
    real, fake = x[y == 1], x[y == 0]
    assert x.shape[1] == 18 and len(real) == len(fake) == int(0.8 * len(frame))
    np.testing.assert_allclose(np.sort(real, axis=0), np.sort(fake, axis=0))  # same marginals
    assert abs(np.corrcoef(fake[:, 1], fake[:, -2])[0, 1]) < 0.2 < abs(np.corrcoef(real[:, 1], real[:, -2])[0, 1])
    again = R.contrastive_split(frame, seed=3)
    assert all(np.array_equal(data[k].numpy(), again[k].numpy()) for k in data)
    with pytest.raises(ValueError, match="constant column"):
        R.contrastive_split(frame.assign(volume=1.0), seed=0)


def test_one_network_runs_pykans_tutorial():
    run = R.train_relation(pd.read_csv(SAMPLE), seed=0, steps=2, batch=256)
    assert 0 <= run.test_acc <= 1 and run.relation in [*R.RELATIONS, "other"]
    assert set(filter(None, run.inputs.split(", "))) <= set(R.COLUMNS)
