"""The run memory: a run is read back only for the same data, arguments and code."""
import numpy as np
import pytest
import torch

from kanrepro.knots.prep import Prepared
from kanrepro.train import ensemble, run_cache
from kanrepro.train import protocols as P
from kanrepro.train.records import RunRecord


@pytest.fixture
def memory(tmp_path, monkeypatch):
    monkeypatch.setenv("KANREPRO_RUN_CACHE", "1")
    monkeypatch.setenv(run_cache.CACHE_ENV, str(tmp_path))
    return tmp_path / "runs"


def _data(seed: int = 0, rows: int = 96) -> Prepared:
    g = torch.Generator().manual_seed(seed)
    X = [torch.randn(rows, 4, generator=g) for _ in range(3)]
    y = [torch.randint(0, 3, (rows,), generator=g) for _ in range(3)]
    from kanrepro.knots.prep import LabelEncoding

    return Prepared(X[0], y[0], X[1], y[1], X[2], y[2], LabelEncoding(-4, 4, off_by_one=False), list("abcd"))


def test_a_second_call_reads_the_first_run_back(memory):
    calls = []

    def compute():
        calls.append(1)
        return {"value": np.arange(3)}

    first = run_cache.remembered("test", _data(), {"a": 1}, compute)
    second = run_cache.remembered("test", _data(), {"a": 1}, compute)
    assert calls == [1] and np.array_equal(first["value"], second["value"])
    assert len(list(memory.glob("test-*.pkl"))) == 1


def test_other_data_arguments_or_code_are_other_keys(memory, monkeypatch):
    def key(kind="test", data=None, arguments=None):
        return run_cache.run_key(kind, run_cache.data_identity(data or _data()), arguments or {"a": 1})

    base = key()
    assert key(data=_data(seed=1)) != base
    assert key(arguments={"a": 2}) != base
    assert key(kind="other") != base
    changed = _data()
    changed.X_test[0, 0] += 1e-6  # one number of the test split
    assert key(data=changed) != base
    monkeypatch.setattr(run_cache, "code_identity", lambda: "edited source")
    assert key() != base


def test_off_means_computed_every_time(memory, monkeypatch):
    monkeypatch.setenv("KANREPRO_RUN_CACHE", "0")
    calls = []
    for _ in range(2):
        run_cache.remembered("test", _data(), {}, lambda: calls.append(1))
    assert calls == [1, 1] and not memory.exists()


def test_an_unreadable_file_is_computed_again(memory):
    run_cache.remembered("test", _data(), {}, lambda: 1)
    (path,) = memory.glob("test-*.pkl")
    path.write_bytes(b"truncated")
    assert run_cache.remembered("test", _data(), {}, lambda: 2) == 2


def test_the_ensemble_reads_back_each_copy(memory):
    data = _data(rows=200)
    cfg = P.DeepMindConfig(max_steps=300, off_by_one_output=False)
    spec = P.ModelSpec(hidden=(3,))
    first = ensemble.deepmind_ensemble(data, spec, cfg, [0, 1], split_seed=7)
    assert len(list(memory.glob("mlp-run-*.pkl"))) == 2
    again = ensemble.deepmind_ensemble(data, spec, cfg, [1, 2], split_seed=7)  # seed 1 read back, 2 trained
    assert len(list(memory.glob("mlp-run-*.pkl"))) == 3
    assert all(isinstance(r, RunRecord) for r in again)
    assert again[0].to_dict() == first[1].to_dict()
    assert np.array_equal(again[0].test_correct, first[1].test_correct)


def test_a_copy_does_not_depend_on_the_copies_beside_it():
    """What lets the memory keep one entry per copy: copy s of an S-stack equals the same run alone."""
    data = _data(rows=300)
    for hidden in ((3, 3), (40, 40)):
        spec, cfg = P.ModelSpec(hidden=hidden), P.DeepMindConfig(max_steps=400, off_by_one_output=False)
        stacked = ensemble.deepmind_ensemble(data, spec, cfg, [3, 4, 5], split_seed=0)[1].to_dict()
        alone = ensemble.deepmind_ensemble(data, spec, cfg, [4], split_seed=0)[0].to_dict()
        stacked.pop("seconds"), alone.pop("seconds")
        assert stacked == alone


def test_a_tutorial_run_with_its_model_is_read_back_without(memory):
    data = _data(rows=200)
    cfg = P.PykanTutorialConfig(grid=3, k=3, steps=3, batch=64)
    record, _ = P.pykan_tutorial(data, cfg, seed=1, variant="ours", return_model=True)
    again = P.pykan_tutorial(data, cfg, seed=1, variant="ours")
    assert again.to_dict() == record.to_dict() and len(list(memory.glob("pykan-tutorial-*.pkl"))) == 1
    assert P.pykan_tutorial(data, cfg, seed=2, variant="ours").seeds["init"] == 2


def test_the_ensemble_returns_the_models_of_its_records(memory):
    """return_models trains every copy (none read back), stores its records, and the models are those runs'."""
    from kanrepro.train.records import evaluate

    data = _data(rows=200)
    cfg = P.DeepMindConfig(max_steps=300, off_by_one_output=False)
    spec = P.ModelSpec(hidden=(3,))
    ensemble.deepmind_ensemble(data, spec, cfg, [0], split_seed=7)
    records, models = ensemble.deepmind_ensemble(data, spec, cfg, [0, 1], split_seed=7, return_models=True)
    assert len(list(memory.glob("mlp-run-*.pkl"))) == 2 and len(models) == 2
    for record, model, seed in zip(records, models, [0, 1], strict=True):
        assert record.seeds["init"] == seed
        loss, accuracy = evaluate(model, data.X_test, data.y_test)
        assert abs(loss - record.test_loss) < 1e-6 and accuracy == record.test_accuracy
        again = ensemble.deepmind_ensemble(data, spec, cfg, [seed], split_seed=7)[0].to_dict()
        assert {**again, "seconds": 0} == {**record.to_dict(), "seconds": 0}
