"""Parameter audit: the numbers quoted in claims.md, and pykan's own count as the oracle."""
import os

import pytest
import torch

from kanrepro.nn.models import KAN, MLP
from kanrepro.nn.params import kan_counts, mlp_counts, param_counts


def test_deepmind_mlp_counts():
    assert param_counts(MLP(17, [300, 300, 300], 13))["weights_and_biases"] == 189_913
    assert param_counts(MLP(17, [300, 300, 300], 14))["weights_and_biases"] == 190_214


def test_compactnet_counts():
    assert param_counts(MLP(17, [3, 3], 14))["weights_and_biases"] == 122
    assert mlp_counts([17, 5, 5, 14])["weights_and_biases"] == 204  # CompactNet README table
    assert mlp_counts([17, 3, 14])["weights_and_biases"] == 110


def test_counts_match_torch_numel():
    m = MLP(17, [10, 10], 14)
    assert param_counts(m)["torch_trainable"] == sum(p.numel() for p in m.parameters())


def test_kan_conventions():
    c = param_counts(KAN([17, 1, 14], grid=3, k=3))
    counts = (c["spline_coefficients"], c["spline_plus_scales"], c["pykan_trainable"], c["kanbefair"])
    assert counts == (186, 248, 372, 294)
    assert c["weights_and_biases"] is None
    assert c["torch_trainable"] == 248  # our KAN trains coef + w_b + w_s only


def test_pykan_trainable_is_measured_on_pykan(tmp_path):
    kan = pytest.importorskip("kan")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for width, g in [([17, 1, 14], 3), ([3, 4, 2], 5)]:
            model = kan.KAN(width=list(width), grid=g, k=3, auto_save=False)
            live = sum(p.numel() for p in model.parameters() if p.requires_grad)
            assert param_counts(model)["pykan_trainable"] == live
            assert kan_counts(width, g, 3)["pykan_trainable"] == live
        assert param_counts(kan.KAN(width=[17, 1, 14], grid=3, k=3, auto_save=False))["pykan_trainable"] == 372
    finally:
        os.chdir(cwd)


def test_generic_module():
    c = param_counts(torch.nn.Linear(3, 2))
    assert c["torch_trainable"] == 8 and c["spline_coefficients"] is None
