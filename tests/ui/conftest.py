"""Fixtures for the web chat: a real `plan-assistant serve` subprocess and a real Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def console_script() -> str:
    exe = Path(sys.executable).parent / "plan-assistant"
    return str(exe) if exe.exists() else (shutil.which("plan-assistant") or str(exe))


@contextmanager
def serving(env: dict[str, str], log_path: Path, timeout: float = 300) -> Iterator[str]:
    """Run `plan-assistant serve --port FREE` until the page answers; yield its URL; stop it afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [console_script(), "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"serve exited with {proc.returncode}:\n{log_path.read_text(errors='replace')}")
                try:
                    with urllib.request.urlopen(url, timeout=5) as resp:
                        if resp.status == 200:
                            break
                except (urllib.error.URLError, OSError):
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"serve did not answer within {timeout}s:\n{log_path.read_text(errors='replace')}")
                time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture(scope="session")
def serve_plan_assistant():
    """`with serve_plan_assistant(env, log_path) as url:` runs another `plan-assistant serve`."""
    return serving


@pytest.fixture(scope="session")
def web_url(plan_index, cli_env, tmp_path_factory) -> Iterator[str]:
    """The chat over the session's index (the default plan), served by the real console script."""
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    with serving(dict(cli_env), log) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make system-deps` (apt-get install chromium fonts-wqy-zenhei)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@contextmanager
def chat_page(browser, url: str, *, height: int = 1000, locale: str | None = None, clipboard: bool = False):
    """A browser tab on the chat at `url`, ready for input; page errors are collected in `page.errors`."""
    context = browser.new_context(viewport={"width": 1400, "height": height}, **({"locale": locale} if locale else {}))
    if clipboard:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(url, wait_until="load")
    pg.wait_for_selector("#pa-input textarea", timeout=60_000)
    pg.errors = errors  # type: ignore[attr-defined]
    try:
        yield pg
    finally:
        context.close()


@pytest.fixture(scope="session")
def open_chat():
    """`with open_chat(browser, url, ...) as page:` opens the chat in a new browser context."""
    return chat_page


@pytest.fixture(scope="session")
def screenshot():
    """Save a page screenshot under artifacts/screenshots/NAME.png (look at them when the layout changes)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=False)
        return path

    return shoot
