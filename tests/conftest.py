"""Shared test helpers."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# Tests compute what they check: the run memory (kanrepro.train.run_cache) is off here and in the notebooks
# the tests start (they inherit the environment); tests/test_run_cache.py turns it on where it is tested.
os.environ["KANREPRO_RUN_CACHE"] = "0"


@pytest.fixture
def repo_root() -> Path:
    return ROOT


@pytest.fixture
def python() -> str:
    """The interpreter running the tests (the project's venv under `make test`)."""
    return sys.executable
