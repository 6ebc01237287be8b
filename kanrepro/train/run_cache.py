"""A memory of finished training runs, so that two notebooks that train the same run train it once.

Notebook 08 reruns, on DeepMind's split, runs that notebooks 03-05 already made (the same data, protocol,
model and seeds); with this memory it reads them instead. A run is remembered under a key made of

- the exact tensors it trained and was scored on (:class:`~kanrepro.knots.prep.Prepared`, hashed),
- every argument that can change it (config, model spec, seeds, variant, engine),
- the package's own source code and the versions of torch, numpy, scikit-learn and pykan,

so a changed line of code, other data or another switch is a different key: nothing stale is read back.
Runs live in ``<reports>/cache/runs/`` (``make clean`` forgets them); ``KANREPRO_RUN_CACHE=0`` turns the
memory off (e.g. to time a computation).
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from kanrepro import results

PACKAGE_DIR = Path(__file__).resolve().parents[1]  # kanrepro/
VERSIONED = ("torch", "numpy", "scikit-learn", "pykan")  # distributions whose version is part of every key


@functools.lru_cache(maxsize=1)
def code_identity() -> str:
    """SHA-256 of every source file of the package (path and bytes) and the versions in :data:`VERSIONED`."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in VERSIONED:
        try:
            digest.update(f"{name}=={metadata.version(name)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} missing\0".encode())
    return digest.hexdigest()


def data_identity(data: Any) -> str:
    """SHA-256 of a :class:`~kanrepro.knots.prep.Prepared`: its six tensors (dtype, shape, bytes), encoding,
    features and row labels."""
    digest = hashlib.sha256()
    for name in ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test"):
        array = np.ascontiguousarray(getattr(data, name).numpy())
        digest.update(f"{name}:{array.dtype}:{array.shape}\0".encode() + array.tobytes())
    digest.update(repr((data.encoding, list(data.features))).encode())
    for index in (data.train_index, data.test_index):
        digest.update(repr(None if index is None else index.tolist()).encode())
    return digest.hexdigest()


def enabled() -> bool:
    return os.environ.get("KANREPRO_RUN_CACHE", "1") != "0"


CACHE_ENV = "KANREPRO_CACHE"  # set by kanrepro.pipeline.run to <reports>/cache (a notebook's own reports are staged)


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or results.REPORTS_DIR / "cache") / "runs"


def run_key(kind: str, data_id: str, arguments: dict[str, Any]) -> str:
    """The key of one computation: its kind, data (:func:`data_identity`), arguments (JSON, sorted) and
    the code identity."""
    text = json.dumps({"kind": kind, "arguments": arguments}, sort_keys=True, default=repr)
    return hashlib.sha256(f"{code_identity()}\0{data_id}\0{text}".encode()).hexdigest()


def _path(kind: str, data_id: str, arguments: dict[str, Any]) -> Path:
    return cache_dir() / f"{kind}-{run_key(kind, data_id, arguments)}.pkl"


def recall(kind: str, data_id: str, arguments: dict[str, Any]) -> Any | None:
    """The value stored under this key, or None (nothing stored, the memory is off, or the file is
    unreadable, e.g. a killed writer's leftover, which is then removed)."""
    if not enabled():
        return None
    path = _path(kind, data_id, arguments)
    if not path.exists():
        return None
    try:
        return pickle.loads(path.read_bytes())
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        path.unlink(missing_ok=True)
        return None


def remember(kind: str, data_id: str, arguments: dict[str, Any], value: Any) -> None:
    """Store ``value`` (not None) under this key, atomically."""
    if enabled():
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        results.atomic_write_bytes(_path(kind, data_id, arguments), data)


def remembered(kind: str, data: Any, arguments: dict[str, Any], compute: Callable[[], Any]) -> Any:
    """``compute()``'s value for this key: read back if a run already stored it, else computed and stored."""
    if not enabled():
        return compute()  # nor hash the data
    data_id = data_identity(data)
    value = recall(kind, data_id, arguments)
    if value is None:
        value = compute()
        remember(kind, data_id, arguments, value)
    return value
