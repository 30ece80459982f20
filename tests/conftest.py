import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fixture_db import write_fixture  # noqa: E402
from threatscape.store import Store  # noqa: E402


@pytest.fixture(scope="session")
def fixture_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("fixture") / "fixture.duckdb"
    write_fixture(path)
    return path


@pytest.fixture
def store(fixture_path) -> Store:
    return Store(fixture_path)


@pytest.fixture(scope="session")
def demo_path(tmp_path_factory) -> Path:
    """A 20,000-incident demo database (the default size), built once for the session."""
    from threatscape.demo import build_demo
    import datetime as dt

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo(path, incidents=20_000, seed=7, until=dt.date(2026, 11, 28))
    return path
