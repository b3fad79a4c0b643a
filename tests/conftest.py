"""Shared test set-up: every test gets its own state folder and no analytics."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")

# Property tests draw the same examples on every run of the suite (CI included), so a
# red build always means a change, never the luck of the draw; FIVESTAR_HYPOTHESIS=explore
# draws fresh examples (and keeps failures in .hypothesis/) when hunting for new cases.
settings.register_profile("suite", derandomize=True, database=None, print_blob=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("FIVESTAR_HYPOTHESIS", "suite"))


@pytest.fixture(autouse=True)
def isolated_state(tmp_path_factory, monkeypatch):
    """Point fivestar's mutable state at a fresh folder so tests never share it."""
    from pipelines import paths

    state = tmp_path_factory.mktemp("state")
    monkeypatch.setattr(paths, "STATE_DIR", state)
    monkeypatch.setenv("FIVESTAR_STATE_DIR", str(state))
    monkeypatch.setenv("DAGSTER_HOME", str(state / "dagster"))
    return state


@pytest.fixture
def dagster_instance(isolated_state):
    from dagster import DagsterInstance

    with DagsterInstance.ephemeral() as instance:
        yield instance


#: Debian's Chromium, driven by Playwright (a Playwright browser download cannot work here).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the session (installed by scripts/setup.sh)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
