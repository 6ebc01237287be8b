"""The report as a reader sees it: a folder served on localhost, opened in headless Chromium (selenium).

Used by the browser test and by ``python -m kanrepro.pipeline.browser --reports reports --screenshot docs/report.png``
(the README's screenshot). Needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs them).
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

# as root, offline: no sandbox, and no background connections (this machine's closed network refuses them)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_paths() -> tuple[str, str] | None:
    """(chromium, chromedriver) when both are installed, else None."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` over HTTP on a free localhost port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


@contextmanager
def headless_chromium(width: int = 1200, height: int = 2400) -> Iterator[Any]:
    """A selenium Chrome driver on Debian's headless Chromium, with a fresh profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    paths = chromium_paths()
    if paths is None:
        raise RuntimeError("headless Chromium needs Debian's chromium and chromium-driver "
                           "(apt-get install chromium chromium-driver; .ci/run does it as root)")
    with tempfile.TemporaryDirectory(prefix="kanrepro-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = paths[0]
        for flag in [*CHROMIUM_FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"]:
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service(paths[1]), options=options)
        try:
            yield driver
        finally:
            driver.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kanrepro.pipeline.browser", description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=Path, default=Path("reports"))
    parser.add_argument("--screenshot", type=Path, required=True, help="PNG of the top of index.html")
    parser.add_argument("--height", type=int, default=1800, help="window height in pixels")
    args = parser.parse_args(argv)
    with served(args.reports) as base, headless_chromium(height=args.height) as driver:
        driver.get(base + "index.html")
        driver.save_screenshot(str(args.screenshot))
    print(f"[kanrepro.pipeline.browser] wrote {args.screenshot}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
