"""Browser tests: one gunicorn server on a fresh SQLite demo database, one headless Chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_TIMEOUT = 20.0
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as an e2e test (the hook sees the whole session)."""
    for item in items:
        if E2E_DIR in item.path.resolve().parents:
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(instance: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"LMS_TEST_DATABASE_URL", "LMS_DATABASE_URL"}
    }
    env.update(FLASK_APP="lms", LMS_INSTANCE_DIR=str(instance), LMS_DEMO_MODE="1")
    # Every journey logs in from 127.0.0.1; the per-address login limit is tested on its own.
    env["LMS_LOGIN_RATE_LIMIT"] = "1000 per minute"
    # report numbers counted live, however busy the machine (kept ones are tested in-process)
    env["LMS_REPORT_SNAPSHOT_MS"] = "-1"
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of gunicorn serving a freshly migrated and seeded SQLite demo database."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    env = _server_env(instance)
    _run([str(BIN / "flask"), "db", "upgrade"], env)
    _run([str(BIN / "flask"), "lms", "seed-demo"], env)
    folders = sorted(str(p.parent) for p in (REPO / "courses").glob("*/course.toml"))
    _run([str(BIN / "flask"), "lms", "import-course", *folders], env)
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = instance / "gunicorn.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "lms:create_app()",
            ],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _healthy(f"{base_url}/healthz"):
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"gunicorn did not come up on {base_url} "
                    f"(exit code {server.poll()}):\n{log_path.read_text()}"
                )
            time.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole session."""
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context (no cookies shared between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="id-ID")
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """Where screenshots go: ``test-artifacts/screenshots`` at the repository root."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
