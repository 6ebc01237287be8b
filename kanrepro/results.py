"""The one place that writes results: flat JSON objects, written atomically.

Result files live in ``reports/results/<notebook-stem>.json``; each is a flat JSON object
of named numbers and strings (lists and small dicts of numbers are allowed for per-seed values).
"""
from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

REPORTS_DIR = Path(os.environ.get("KANREPRO_REPORTS", "reports"))  # root of all generated output


def _jsonable(value: Any) -> Any:
    """Convert numpy/torch scalars and arrays to plain Python, rejecting NaN silently turning into null."""
    if hasattr(value, "tolist"):  # numpy arrays/scalars, torch tensors
        value = value.tolist()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # 'nan' / 'inf' stay visible instead of producing invalid JSON
    return value


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@functools.lru_cache(maxsize=32)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read once per version of the file (path, size and modification time)."""
    path = Path(path).resolve()
    stat = path.stat()
    return _sha256(path, stat.st_size, stat.st_mtime_ns)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` via a temp file in the same folder and an atomic rename."""
    return atomic_write_bytes(path, text.encode())


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` via a temp file in the same folder and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


DEFAULT_RUN_ENV = "KANREPRO_DEFAULT_RUN"  # set by kanrepro.pipeline.run: '1' default parameters, '0' others


def default_stamp(name: str, reports_dir: str | Path | None = None) -> Path:
    """``<reports>/stamps/<name>.default``: make's target, present only after a runner run with defaults."""
    root = Path(reports_dir) if reports_dir is not None else REPORTS_DIR
    return root / "stamps" / f"{name}.default"


def provenance() -> dict[str, Any]:
    """How a result was made: by the runner or by hand, with default parameters or not, the git commit (and
    whether the tree was dirty), package versions and the SHA-256 of requirements.lock."""
    import subprocess
    from importlib.metadata import PackageNotFoundError, version

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], capture_output=True, text=True, timeout=10, check=False,
                                  cwd=Path(__file__).parent).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    versions = {}
    for package in ("torch", "numpy", "pandas", "pykan", "snappy", "kanrepro"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = "not installed"
    lock = Path(__file__).resolve().parents[1] / "requirements.lock"  # the exact environment (make lock)
    lock_sha256 = file_sha256(lock) if lock.exists() else "no lock file"
    flag = os.environ.get(DEFAULT_RUN_ENV)
    return {"made_by": "kanrepro.pipeline.run" if flag is not None else "by hand (JupyterLab or python)",
            "default_parameters": flag == "1", "git_commit": git("rev-parse", "HEAD") or "unknown",
            "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")), "versions": versions,
            "lock_sha256": lock_sha256}


def write_results(name: str, values: dict[str, Any], reports_dir: str | Path | None = None) -> Path:
    """Write ``values`` and their :func:`provenance` to ``<reports_dir>/results/<name>.json`` atomically;
    returns the path. Outside a default runner run, the notebook's make stamp is removed (see kanrepro.pipeline.run)."""
    root = Path(reports_dir) if reports_dir is not None else REPORTS_DIR
    made = provenance()
    if os.environ.get(DEFAULT_RUN_ENV) is None:  # by hand: these results must not pass as the default ones
        default_stamp(name, root).unlink(missing_ok=True)
    text = json.dumps(_jsonable({**values, "provenance": made}), indent=2, sort_keys=True)
    return atomic_write_text(root / "results" / f"{name}.json", text + "\n")


def merge_results(path: str | Path, values: dict[str, Any]) -> Path:
    """Update the JSON object at ``path`` with ``values`` (creating it), atomically. Used by benches."""
    path = Path(path)
    current = json.loads(path.read_text()) if path.exists() else {}
    current.update(_jsonable(values))
    return atomic_write_text(path, json.dumps(current, indent=2, sort_keys=True) + "\n")


def read_results(reports_dir: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """All result files, keyed by notebook stem."""
    root = Path(reports_dir) if reports_dir is not None else REPORTS_DIR
    return {p.stem: json.loads(p.read_text()) for p in sorted((root / "results").glob("*.json"))}


# a scatter with more points than this is drawn as an image inside the SVG: 98,750 markers as vector paths took
# ~10 s to write (profiled, notebook 04); axes, labels and lines stay vectors
RASTERIZE_ABOVE = 5000


def save_figure(fig: Any, name: str, reports_dir: str | Path | None = None) -> list[Path]:
    """Save a matplotlib figure as ``reports/figures/<name>.png`` and ``.svg``; returns both paths."""
    root = Path(reports_dir) if reports_dir is not None else REPORTS_DIR
    for ax in fig.axes:
        for collection in ax.collections:
            if len(collection.get_offsets()) > RASTERIZE_ABOVE:
                collection.set_rasterized(True)
    out = []
    for ext in ("png", "svg"):
        path = root / "figures" / f"{name}.{ext}"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.tmp.{ext}")
        fig.savefig(tmp, dpi=120, bbox_inches="tight")
        os.replace(tmp, path)
        out.append(path)
    return out
