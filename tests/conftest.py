"""Shared fixtures: real SQLite files and, where configured, a real PostgreSQL server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from conflictradar.app import ConflictRadar
from conflictradar.nlp import NlpPipeline
from conflictradar.settings import DEFAULT_MODEL
from conflictradar.testing import build_core, drop_pg_schema, pg_schema_url, sqlite_url

PG_URL = os.environ.get("CONFLICTRADAR_TEST_PG_URL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if PG_URL:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run the PostgreSQL tests: set CONFLICTRADAR_TEST_PG_URL (make test does)")
    skip = pytest.mark.skip(reason="no PostgreSQL: set CONFLICTRADAR_TEST_PG_URL (make test does)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: an SQLite file, then a PostgreSQL schema (every storage test runs on both),
    dropped afterwards."""
    if request.param == "sqlite":
        yield sqlite_url(tmp_path / "test.db")
        return
    assert PG_URL is not None
    url = pg_schema_url(PG_URL)
    yield url
    drop_pg_schema(url)


@pytest.fixture
def core(db_url: str) -> Iterator[ConflictRadar]:
    radar = build_core(db_url)
    yield radar
    radar.close()


@pytest.fixture(scope="session")
def nlp() -> NlpPipeline:
    return NlpPipeline(DEFAULT_MODEL)
