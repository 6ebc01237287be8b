"""Import ``dask.distributed`` next to SnapPy.

``distributed`` probes the *python-snappy* compression library with ``import snappy`` and only
tolerates ``ImportError``; SnapPy (also ``snappy``) then crashes it with ``AttributeError``. We hide
SnapPy during that import. Remote workers: start them with ``python -m kanrepro.daskcompat
tcp://host:port [dask worker options]`` so the same fix applies there.
"""
from __future__ import annotations

import sys
from types import ModuleType


def import_distributed() -> ModuleType:
    """``import distributed`` with SnapPy hidden from its compression probe; returns the module."""
    if "distributed" in sys.modules:
        return sys.modules["distributed"]
    saved = sys.modules.get("snappy")
    sys.modules["snappy"] = None  # type: ignore[assignment]  # makes "import snappy" raise ImportError
    try:
        import distributed
    finally:
        if saved is not None:
            sys.modules["snappy"] = saved
        else:
            del sys.modules["snappy"]
    # the scheduler imports prometheus_client lazily, in a thread, and it runs "import snappy" too: SnapPy's
    # first import must happen in the main thread (cypari installs signal handlers), so do it here
    import snappy  # noqa: F401
    return distributed


if __name__ == "__main__":  # a dask worker process for a remote scheduler
    import_distributed()
    from distributed.cli.dask_worker import main as worker_main

    sys.argv[0] = "dask-worker"
    worker_main()
