"""Shared fixtures, after Flask's tutorial: `app`, `client`, and a live server.

The suite runs on the embedded store by default. With DATABASE_URL set to a
postgresql:// URL, every store fixture is PostGIS instead: the same tests, the
other backend. Each fixture gets its own schema, so they never see each other.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.application.sample_loader import load_whole_sample
from cases.sample import DEMO_USERS
from cases.store import CaseStore
from gis.catalog import load_catalog
from gis.store import open_store

DATABASE_URL = os.environ.get("DATABASE_URL") or None
OUTPUT_DIR = Path(__file__).parent / "output"


# The three tiers (pyproject.toml registers the markers). A test's tier comes from where
# it lives and what it uses, unless it is marked by hand:
#   unit: tests/unit/ (the domain and services over tests/fakes.py; no database);
#   e2e: through an entry point (the Flask app or test client, the CLI, a live server, a
#   browser, or a subprocess: the modules in E2E_MODULES);
#   integration: everything else (a real store, either backend).
TIERS = ("unit", "integration", "e2e")
ENTRY_POINT_FIXTURES = {
    "app",
    "client",
    "auth",
    "runner",
    "sample_app",
    "writable_app",
    "writable_client",
    "writable_auth",
    "live_server",
    "browser",
}
E2E_MODULES = {"test_cli.py", "test_fuzz.py", "test_schemathesis.py"}
UNIT_DIR = Path(__file__).parent / "unit"


def _tier(item) -> str:
    path = Path(str(item.fspath))
    if UNIT_DIR in path.parents:
        return "unit"
    if (
        item.get_closest_marker("browser")
        or path.name in E2E_MODULES
        or ENTRY_POINT_FIXTURES & set(getattr(item, "fixturenames", ()))
    ):
        return "e2e"
    return "integration"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if not any(item.get_closest_marker(tier) for tier in TIERS):
            item.add_marker(_tier(item))


def pytest_report_header(config):
    return f"layer store: {'PostGIS ' + DATABASE_URL if DATABASE_URL else 'embedded GeoPackage'}"


def _new_schema() -> str | None:
    return f"test_{uuid.uuid4().hex[:12]}" if DATABASE_URL else None


def _drop_schema(schema: str | None) -> None:
    if DATABASE_URL and schema:
        import sqlalchemy as sa

        from gis.postgis_store import _engine_url

        engine = sa.create_engine(_engine_url(DATABASE_URL))
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema}_layers CASCADE"))
        engine.dispose()


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture
def store_config(tmp_path):
    """Config of a fresh, empty store: instance folder and (on PostGIS) schema."""
    schema = _new_schema()
    yield {
        "PLANNER_HOME": str(tmp_path / "instance"),
        "DATABASE_URL": DATABASE_URL,
        "DATABASE_SCHEMA": schema,
    }
    _drop_schema(schema)


@pytest.fixture(scope="session")
def sample_layers(catalog):
    """The sample's layers, read once (the case stores below are built from them)."""
    from gis.layers import read_package

    return read_package(catalog=catalog)


@pytest.fixture
def sample_cases_store(store_config, sample_layers):
    """A case store of its own with the sample cases and demo users (no layers)."""
    from cases.sample import load_sample_cases

    store = CaseStore(
        store_config["PLANNER_HOME"],
        store_config["DATABASE_URL"],
        schema=store_config["DATABASE_SCHEMA"],
    )
    load_sample_cases(store, sample_layers, demo_users=True)
    yield store
    store.dispose()


@pytest.fixture
def empty_store(store_config):
    return open_store(
        store_config["PLANNER_HOME"], DATABASE_URL, schema=store_config["DATABASE_SCHEMA"]
    )


@pytest.fixture(scope="session")
def sample_config(tmp_path_factory, catalog):
    """A store loaded once with the shipped sample; tests must not write to it."""
    schema = _new_schema()
    home = tmp_path_factory.mktemp("sample-instance")
    store = open_store(home, DATABASE_URL, schema=schema)
    case_store = CaseStore(home, DATABASE_URL, schema=schema)
    load_whole_sample(store, case_store, catalog, demo_users=True)
    case_store.dispose()
    yield {"PLANNER_HOME": str(home), "DATABASE_URL": DATABASE_URL, "DATABASE_SCHEMA": schema}
    _drop_schema(schema)


@pytest.fixture(scope="session")
def sample_store(sample_config):
    return open_store(
        sample_config["PLANNER_HOME"], DATABASE_URL, schema=sample_config["DATABASE_SCHEMA"]
    )


@pytest.fixture(scope="session")
def sample_app(sample_config):
    """The app over the shared sample store. Read-only tests only: it is shared."""
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **sample_config})


@pytest.fixture
def app(sample_app):
    return sample_app


@pytest.fixture
def writable_config(tmp_path, catalog):
    """A store of its own, loaded with the sample (layers and cases), for tests that write."""
    schema = _new_schema()
    home = tmp_path / "instance"
    case_store = CaseStore(home, DATABASE_URL, schema=schema)
    load_whole_sample(
        open_store(home, DATABASE_URL, schema=schema), case_store, catalog, demo_users=True
    )
    case_store.dispose()
    yield {"PLANNER_HOME": str(home), "DATABASE_URL": DATABASE_URL, "DATABASE_SCHEMA": schema}
    _drop_schema(schema)


@pytest.fixture
def writable_app(writable_config):
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False, **writable_config})


@pytest.fixture
def writable_client(writable_app):
    return writable_app.test_client()


class AuthActions:
    """Log in as one of the sample's demo users (see cases.sample.DEMO_USERS)."""

    passwords = {username: password for username, password, _, _ in DEMO_USERS}

    def __init__(self, client):
        self._client = client

    def login(self, username="officer", password=None):
        return self._client.post(
            "/auth/login",
            data={"username": username, "password": password or self.passwords[username]},
        )

    def logout(self):
        return self._client.post("/auth/logout")

    def basic(self, username="officer"):
        """HTTP Basic headers for API calls without a session."""
        import base64

        token = base64.b64encode(f"{username}:{self.passwords[username]}".encode()).decode()
        return {"Authorization": f"Basic {token}"}


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def writable_auth(writable_client):
    return AuthActions(writable_client)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@contextlib.contextmanager
def serve(app):
    """Serve `app` on a free port of 127.0.0.1 in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def live_server(sample_config):
    """The real app over the shared sample store (read-only); yields its base URL."""
    with serve(create_app({"TESTING": True, **sample_config})) as url:
        yield url


CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium tries to reach Google at start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, driven by Playwright (`make test` installs it)."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run scripts/system-deps.sh"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def output_dir(request) -> Path:
    """A folder kept after the run (tests/output/<test name>) for screenshots and reports."""
    path = OUTPUT_DIR / request.node.name.replace("/", "_").replace("[", "-").strip("]")
    path.mkdir(parents=True, exist_ok=True)
    return path
