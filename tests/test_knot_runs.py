"""Input checks and summaries of the knot-experiment helpers: errors name the parameter."""
import pytest

from kanrepro.experiment import knot_runs as kr
from kanrepro.knots.dataset import FEATURES


def test_parse_widths():
    assert kr.parse_widths("3-3", "sizes") == [3, 3] and kr.parse_widths("300", "sizes") == [300]
    for bad in ("", "3-", "a-3", "0-2", "-1"):
        with pytest.raises(ValueError, match="sizes: .* is not positive widths"):
            kr.parse_widths(bad, "sizes")


def test_seed_and_feature_checks_name_the_parameter():
    assert kr.check_seeds([2, 0], "split_seeds") == [2, 0]
    for bad in ([], [1, 1], [-1]):
        with pytest.raises(ValueError, match="split_seeds must be a non-empty list"):
            kr.check_seeds(bad, "split_seeds")
    assert kr.check_features(kr.SALIENT, "features") == kr.SALIENT
    with pytest.raises(ValueError, match=r"features must be distinct names from .*\(unknown: \['mu'\]\)"):
        kr.check_features(["mu"], "features")
    assert set(kr.SALIENT) <= set(FEATURES)


def test_missing_data_path_is_named(tmp_path):
    with pytest.raises(ValueError, match="data_path .* is neither a dataset name"):
        kr.load_knots(str(tmp_path / "nope.csv"))


def test_accuracy_summary_keys():
    summary = kr.accuracy_summary([0.8, 0.9, 0.85], "m")
    assert summary["m_acc_mean"] == pytest.approx(0.85) and summary["m_acc_best"] == 0.9
    assert summary["m_acc_min"] == 0.8 and summary["m_n_runs"] == 3
    low, high = summary["m_acc_ci95"]
    assert 0.8 <= low <= 0.85 <= high <= 0.9


def test_constant_column_notes_summarise_and_pass_other_warnings_on(capsys):
    import warnings

    from kanrepro.knots.prep import ConstantColumnWarning

    with pytest.warns(UserWarning, match="unrelated"):
        with kr.constant_column_notes():
            warnings.warn(ConstantColumnWarning("val", ["Symmetry_D8"]), stacklevel=1)
            warnings.warn(ConstantColumnWarning("test", ["Symmetry_D3", "Symmetry_D8"]), stacklevel=1)
            warnings.warn("unrelated", stacklevel=1)
    assert "constant column(s) in some splits: Symmetry_D3, Symmetry_D8" in capsys.readouterr().out
