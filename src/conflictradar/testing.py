"""Fixture builders that ship with the package, so tests (ours and yours) run on real databases.

    core = build_core(tmp_path / "t.db")          # a ConflictRadar on a fresh SQLite file
    core.ingest_articles(sample_articles())        # real extraction, real store

``pg_schema_url`` turns a PostgreSQL URL into one bound to a fresh schema, so parallel tests never
see each other's rows.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from datetime import date
from importlib import resources
from pathlib import Path

from .app import ConflictRadar
from .ingest import read_paths
from .schema import Article
from .settings import DEFAULT_MAX_ARTICLE_BYTES, Settings

__all__ = ["build_core", "drop_pg_schema", "free_port", "make_article", "pg_schema_url", "sample_articles",
           "sample_corpus", "sqlite_url"]


def sample_corpus() -> Path:
    """The folder of bundled sample articles (fictional wire reports in several formats)."""
    return Path(str(resources.files("conflictradar").joinpath("data", "samples")))


def sample_articles() -> list[Article]:
    """Every bundled sample article, in a stable order."""
    return [a for a in read_paths([sample_corpus()], DEFAULT_MAX_ARTICLE_BYTES) if isinstance(a, Article)]


def make_article(text: str, published: str | date | None = "2024-05-01", article_id: str | None = None,
                 **fields: str) -> Article:
    """An article for a test; the id defaults to a hash of the text."""
    pub = date.fromisoformat(published) if isinstance(published, str) else published
    ident = article_id or "t-" + uuid.uuid5(uuid.NAMESPACE_URL, text).hex[:12]
    return Article(id=ident, text=text, published=pub, title=fields.get("title"), url=fields.get("url"),
                   source=fields.get("source"))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (for a test or benchmark server)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def pg_schema_url(base_url: str, schema: str | None = None) -> str:
    """``base_url`` with a fresh schema created and set as its search path."""
    from sqlalchemy import create_engine, text

    name = schema or f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base_url)
    with engine.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{name}"'))
    engine.dispose()
    separator = "&" if "?" in base_url else "?"
    return f"{base_url}{separator}options=-csearch_path%3D{name}"


def drop_pg_schema(url: str) -> None:
    """Drop the schema a ``pg_schema_url`` URL is bound to, and all in it (so test runs leave none behind)."""
    from sqlalchemy import create_engine, text

    base, _, options = url.partition("options=-csearch_path%3D")
    name = options.split("&")[0]
    if not name:
        raise ValueError(f"not a URL from pg_schema_url: {url}")
    engine = create_engine(base.rstrip("?&"))
    with engine.begin() as conn:
        conn.execute(text("SET LOCAL lock_timeout = '10s'"))  # a connection left open must not hang the run
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
    engine.dispose()


def build_core(db: Path | str, model: str | None = None) -> ConflictRadar:
    """A ConflictRadar on the database given (a path means a fresh SQLite file there)."""
    url = sqlite_url(db) if isinstance(db, Path) else db
    return ConflictRadar(Settings.from_env(db_url=url, model=model))


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    """Write records as JSON Lines (test input files)."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def iter_jsonl(path: Path) -> Iterator[dict[str, object]]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield json.loads(line)
