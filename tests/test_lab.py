"""`make lab` starts JupyterLab on the notebooks (as root too) and opens a notebook's py:percent twin as the
same notebook (jupytext pairing), through the server's REST API."""
import json
import os
import secrets
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def test_make_lab_serves_the_paired_notebooks(tmp_path):
    port, token = _free_port(), secrets.token_hex(16)
    args = (f"--no-browser --port={port} --ip=127.0.0.1 --IdentityProvider.token={token} "
            f"--ServerApp.root_dir={ROOT / 'notebooks'}")
    env = {**os.environ, "MAKEFLAGS": "", "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "HOME": os.environ.get("HOME", str(tmp_path))}
    log = (tmp_path / "lab.log").open("w")
    lab = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_ARGS={args}"], cwd=ROOT, env=env,
                           stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/api"
    try:
        for _ in range(120):  # up to a minute for the server to come up
            try:
                _get(f"{base}/status", token)
                break
            except OSError:
                assert lab.poll() is None, (tmp_path / "lab.log").read_text()[-3000:]
                time.sleep(0.5)
        else:
            raise AssertionError("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()[-3000:])
        listing = {item["name"] for item in _get(f"{base}/contents", token)["content"]}
        assert "01_kan_is_mlp.ipynb" in listing
        twin = _get(f"{base}/contents/01_kan_is_mlp.py?type=notebook&content=1", token)
        assert twin["type"] == "notebook"  # jupytext opens the .py as a notebook
        assert twin["content"]["metadata"]["jupytext"]["formats"] == "ipynb,py:percent"
        committed = nbformat.read(ROOT / "notebooks" / "01_kan_is_mlp.ipynb", as_version=4)
        assert [c["source"] for c in twin["content"]["cells"]] == [c.source for c in committed.cells]
    finally:
        os.killpg(lab.pid, 15)
        lab.wait(timeout=30)
        log.close()
