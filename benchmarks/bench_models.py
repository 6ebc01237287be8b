"""Model benchmarks, measured side by side in one process (``make bench``; writes reports/bench.json).

1. Our KAN vs pykan 0.2.8, [17,1,14] G=3 k=3, training steps/second:
   - Adam, batch 64 (pykan: ``fit(opt='Adam', batch=64, update_grid=False)``; ours: the DeepMind loop's
     numpy kernel step), 10k synthetic rows;
   - LBFGS full batch on 10k rows (pykan: ``fit(opt='LBFGS', batch=-1, lamb=0, update_grid=False)``; ours:
     ``fit_like_pykan``: numpy kernel + LeanLBFGS, a line-for-line port of pykan's LBFGS, same
     hyperparameters). ``lbfgs_lamb`` adds lamb=0.005 (ours: analytic regulariser gradient).
2. S=32 [3,3] MLPs under the DeepMind protocol: vectorised ensemble vs a sequential loop of
   ``protocols.deepmind`` (torch autograd + torch.optim.Adam), same seeds, same steps.
3. Peak memory: tracemalloc (Python/numpy allocations only; misses torch's allocator) and, honestly for
   both, peak RSS (VmHWM) of a fresh spawned subprocess running the workload (``*_maxrss_mib``; the baseline of a
   subprocess that only imports is ``subprocess_baseline_maxrss_mib``).
All timings with one torch thread and one numpy BLAS thread on both sides.
Usage: python benchmarks/bench_models.py [--quick]
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace

import numpy as np
import pandas as pd
import torch

from kanrepro.nn.models import KAN
from kanrepro.results import merge_results
from kanrepro.train import protocols as P
from kanrepro.train.engine import Adam, BatchSampler, single_threaded
from kanrepro.train.ensemble import deepmind_ensemble
from kanrepro.train.kan_kernel import KANKernel
from kanrepro.train.pykan_protocol import fit_like_pykan


def measure(fn, memory: bool = True):
    """(result, seconds, peak traced MiB) of fn(): timed untraced, then rerun under tracemalloc for the
    peak (tracing slows allocation-heavy code by 10x or more, so it never overlaps the timing)."""
    t0 = time.perf_counter()
    out = fn()
    sec = time.perf_counter() - t0
    peak = float("nan")
    if memory:
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out, sec, peak


def synthetic(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 17)).astype(np.float32)
    y = np.clip(np.round(2 * X[:, 0] + X[:, 1] * X[:, 2]) + 7, 0, 13).astype(np.int64)
    return torch.from_numpy(X), torch.from_numpy(y)


def bench_kan(adam_steps: int, lbfgs_steps: int) -> dict:
    from kan import KAN as PykanKAN

    X, y = synthetic(10_000)
    ds = {"train_input": X, "train_label": y, "test_input": X[:2000], "test_label": y[:2000]}
    ce = torch.nn.CrossEntropyLoss()
    out: dict = {}
    os.chdir(tempfile.mkdtemp())

    def pykan_fit(**kw):
        model = PykanKAN(width=[17, 1, 14], grid=3, k=3, seed=0, auto_save=False)
        model.fit(ds, loss_fn=ce, update_grid=False, **kw)

    _, t_pk_adam, m_pk_adam = measure(lambda: pykan_fit(opt="Adam", steps=adam_steps, batch=64, lr=1e-3))

    def ours_adam():
        model = KAN([17, 1, 14], grid=3, k=3, seed=0)
        kern, Xn, yn = KANKernel(model), X.numpy(), y.numpy()
        cache = kern.inputs(Xn)
        adam, sampler = Adam(kern.theta.shape, kern.dtype, lr=1e-3), BatchSampler(0, len(Xn), 64)
        with single_threaded():
            for _ in range(adam_steps * 10):
                idx = sampler.next()
                kern.loss_grad(None, yn[idx], cache.take(idx))
                adam.step(kern.theta, kern.grad)
        kern.write_back()

    _, t_ours_adam, m_ours_adam = measure(ours_adam)
    out["pykan_adam_ms_per_step"] = 1e3 * t_pk_adam / adam_steps
    out["ours_adam_ms_per_step"] = 1e3 * t_ours_adam / (adam_steps * 10)
    out["kan_vs_pykan_adam_speedup"] = out["pykan_adam_ms_per_step"] / out["ours_adam_ms_per_step"]
    out["pykan_adam_peak_mib"], out["ours_adam_peak_mib"] = m_pk_adam, m_ours_adam

    for tag, lamb in (("lbfgs", 0.0), ("lbfgs_lamb", 0.005)):
        _, t_pk, m_pk = measure(lambda lamb=lamb: pykan_fit(opt="LBFGS", steps=lbfgs_steps, batch=-1, lamb=lamb))
        cfg = P.PykanTutorialConfig(hidden=(1,), grid=3, steps=5 * lbfgs_steps, batch=-1, lamb=lamb, update_grid=False)

        def ours_lbfgs(cfg=cfg):
            model = KAN([17, 1, 14], grid=3, k=3, seed=0)
            fit_like_pykan(model, X, y, 2000, cfg, np.random.RandomState(0))

        _, t_ours, m_ours = measure(ours_lbfgs)
        out[f"pykan_{tag}_s_per_step"], out[f"ours_{tag}_s_per_step"] = t_pk / lbfgs_steps, t_ours / cfg.steps
        out[f"pykan_{tag}_peak_mib"], out[f"ours_{tag}_peak_mib"] = m_pk, m_ours
    out["kan_vs_pykan_lbfgs_speedup"] = out["pykan_lbfgs_s_per_step"] / out["ours_lbfgs_s_per_step"]
    out["kan_vs_pykan_lbfgs_lamb_speedup"] = out["pykan_lbfgs_lamb_s_per_step"] / out["ours_lbfgs_lamb_s_per_step"]
    return out


def _seed_setup(max_steps: int, n_rows: int):
    rng = np.random.default_rng(0)
    feats = [f"f{i}" for i in range(17)]
    Xf = rng.normal(size=(n_rows, 17))
    frame = pd.DataFrame(Xf, columns=feats)
    frame["signature"] = 2 * np.clip(np.round(2 * Xf[:, 0] + Xf[:, 1] * Xf[:, 2]), -6, 6).astype(int)
    cfg = replace(P.DeepMindConfig(), max_steps=max_steps)
    data = P.prepare(frame, feats, cfg)
    spec = P.ModelSpec(hidden=(3, 3))
    return data, spec, cfg


def bench_seeds(S: int, max_steps: int, n_rows: int) -> dict:
    data, spec, cfg = _seed_setup(max_steps, n_rows)
    seeds = list(range(S))
    vec, t_vec, m_vec = measure(lambda: deepmind_ensemble(data, spec, cfg, seeds, seeds))
    seq, t_seq, _ = measure(lambda: [P.deepmind(data, spec, cfg, s, s, engine="torch") for s in seeds], memory=False)
    _, _, m_seq = measure(lambda: P.deepmind(data, spec, cfg, 0, 0, engine="torch"), memory=True)  # one run's peak
    same = all(a.stop_step == b.stop_step for a, b in zip(vec, seq, strict=True))
    steps = sum(r.steps_run for r in seq)
    return {"vectorized_seed_speedup": t_seq / t_vec, "seeds_S": S, "seeds_total_steps": steps,
            "seeds_sequential_s": t_seq, "seeds_vectorized_s": t_vec, "seeds_same_stop_steps": same,
            "seeds_sequential_one_run_peak_mib": m_seq, "seeds_vectorized_peak_mib": m_vec}


def _peak_rss_mib() -> float:
    """This process's peak RSS (VmHWM; unlike ru_maxrss it is not inherited across fork+exec)."""
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmHWM")) / 1024


def _child(task: str, quick: bool) -> float:
    """Run one workload in this (fresh, spawned) process; return its peak RSS in MiB."""
    torch.set_num_threads(1)
    os.chdir(tempfile.mkdtemp())
    if task == "pykan_lbfgs" or task == "ours_lbfgs":
        X, y = synthetic(10_000)
        if task == "pykan_lbfgs":
            from kan import KAN as PykanKAN
            ds = {"train_input": X, "train_label": y, "test_input": X[:2000], "test_label": y[:2000]}
            PykanKAN(width=[17, 1, 14], grid=3, k=3, seed=0, auto_save=False).fit(
                ds, loss_fn=torch.nn.CrossEntropyLoss(), update_grid=False, opt="LBFGS", steps=1, batch=-1, lamb=0.005)
        else:
            cfg = P.PykanTutorialConfig(hidden=(1,), grid=3, steps=2, batch=-1, lamb=0.005, update_grid=False)
            fit_like_pykan(KAN([17, 1, 14], grid=3, k=3, seed=0), X, y, 2000, cfg, np.random.RandomState(0))
    elif task in ("seeds_vectorized", "seeds_sequential_one"):
        data, spec, cfg = _seed_setup(300 if quick else 2000, 20_000)
        if task == "seeds_vectorized":
            deepmind_ensemble(data, spec, cfg, list(range(32)), list(range(32)))
        else:
            P.deepmind(data, spec, cfg, 0, 0, engine="torch")
    return _peak_rss_mib()


def subprocess_peaks(quick: bool) -> dict:
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    out = {}
    with ctx.Pool(1, maxtasksperchild=1) as pool:
        out["subprocess_baseline_maxrss_mib"] = pool.apply(resource_baseline)
    for task in ("pykan_lbfgs", "ours_lbfgs", "seeds_vectorized", "seeds_sequential_one"):
        with ctx.Pool(1, maxtasksperchild=1) as pool:
            out[f"{task}_maxrss_mib"] = pool.apply(_child, (task, quick))
    return out


def resource_baseline() -> float:
    torch.set_num_threads(1)
    return _peak_rss_mib()


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer steps (smoke)")
    parser.add_argument("--out", default="reports/bench.json")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    cwd = os.getcwd()
    out_path = os.path.abspath(args.out)
    res = bench_kan(adam_steps=30 if args.quick else 200, lbfgs_steps=1 if args.quick else 3)
    os.chdir(cwd)
    res.update(bench_seeds(S=32, max_steps=300 if args.quick else 2000, n_rows=20_000))
    res.update(subprocess_peaks(args.quick))
    res["bench_torch_threads"] = 1
    res["bench_max_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    merge_results(out_path, res)
    for key in sorted(res):
        print(f"{key:40s} {res[key]}")
    return res


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
