"""Storage on SQLite and PostgreSQL: idempotent writes, replacement, queries, and crash-safe ingest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from conflictradar.app import ConflictRadar
from conflictradar.store import EventQuery, Store
from conflictradar.store.tables import articles, events
from conflictradar.testing import make_article, sample_articles, write_jsonl

REPORT = (
    "Gunmen killed four villagers in an attack on a market near Gwoza in Borno state on Tuesday, "
    "residents said. The army said troops had arrested two suspects on Wednesday."
)


def test_reingesting_the_same_articles_adds_nothing(core: ConflictRadar) -> None:
    first = core.ingest_articles(sample_articles())
    assert first.articles_added == len(sample_articles()) and first.events_added > 0
    before = [e.to_dict() for e in core.events(EventQuery(raw=True))]
    second = core.ingest_articles(sample_articles())
    assert (second.articles_added, second.events_added, second.articles_skipped) == (0, 0, len(sample_articles()))
    assert [e.to_dict() for e in core.events(EventQuery(raw=True))] == before
    assert core.store.count_articles() == len(sample_articles())


def test_same_text_under_another_id_is_a_duplicate(core: ConflictRadar) -> None:
    core.ingest_articles([make_article(REPORT, article_id="one")])
    report = core.ingest_articles([make_article(REPORT, article_id="two")])
    assert report.articles_added == 0 and core.store.count_articles() == 1


def test_changed_text_is_rejected_unless_replacing(core: ConflictRadar) -> None:
    core.ingest_articles([make_article(REPORT, article_id="a")])
    revised = make_article(REPORT.replace("four", "five"), article_id="a")
    refused = core.ingest_articles([revised])
    assert [e.code.name for e in refused.rejected] == ["E011"]
    assert core.store.article("a") is not None and "four" in core.store.article("a").text  # type: ignore[union-attr]
    replaced = core.ingest_articles([revised], replace=True)
    assert replaced.articles_replaced == 1
    stored = core.events(EventQuery(raw=True))
    assert stored and all(e.article_id == "a" for e in stored)
    assert max(e.fatalities.best for e in stored) == 5


def test_replacing_with_another_articles_text_is_refused_and_changes_nothing(core: ConflictRadar) -> None:
    core.ingest_articles([make_article(REPORT, article_id="a"),
                          make_article(REPORT.replace("four", "five"), article_id="b")])
    before = core.events(EventQuery(raw=True))
    refused = core.ingest_articles([make_article(REPORT.replace("four", "five"), article_id="a")], replace=True)
    assert [e.code.name for e in refused.rejected] == ["E012"] and refused.articles_replaced == 0
    assert "four" in core.store.article("a").text  # type: ignore[union-attr]
    assert core.events(EventQuery(raw=True)) == before


def test_events_round_trip_through_the_database(core: ConflictRadar) -> None:
    article = make_article(REPORT, published="2024-06-06", article_id="rt")
    extracted = list(core.extract([article]))
    core.ingest_articles([article])
    stored = {e.event_id: e for e in core.events(EventQuery(raw=True))}
    assert extracted and {e.event_id for e in extracted} == set(stored)
    for event in extracted:
        assert stored[event.event_id].to_dict() == event.to_dict()


def test_queries_filter_on_every_field(core: ConflictRadar) -> None:
    core.ingest_articles(sample_articles())
    everything = core.events(EventQuery(raw=True))
    assert everything == sorted(everything, key=lambda e: (e.event_date, e.event_id))
    somalia = core.events(EventQuery(country="SO", raw=True))
    assert somalia and all(e.location and e.location.country_code == "SO" for e in somalia)
    assert core.store.count_events(EventQuery(country="SO", raw=True)) == len(somalia)
    since = date(2024, 7, 1)
    assert all(e.event_date >= since for e in core.events(EventQuery(since=since, raw=True)))
    deadly = core.events(EventQuery(min_fatalities=10, raw=True))
    assert deadly and all(e.fatalities.best >= 10 for e in deadly)
    battles = core.events(EventQuery(event_type="Battles", raw=True))
    assert battles and {e.event_type for e in battles} == {"Battles"}
    limited = core.events(EventQuery(limit=3, offset=2, raw=True))
    assert [e.event_id for e in limited] == [e.event_id for e in everything[2:5]]


def test_bad_database_url_is_a_config_error(tmp_path: Path) -> None:
    from conflictradar.errors import ConfigError

    with pytest.raises(ConfigError, match="E021"):
        Store("notadb://x")
    with pytest.raises(ConfigError, match="E021"):
        Store(f"sqlite:///{tmp_path}/missing-dir/x.db")


def _table_dump(url: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(select(events).order_by(events.c.event_id))]
        rows += [tuple(r) for r in conn.execute(select(articles).order_by(articles.c.id))]
    engine.dispose()
    return rows


def _corpus(tmp_path: Path, n: int = 24) -> Path:
    places = ["Gwoza", "Maiduguri", "Bama", "Dikwa"]
    records = [
        {"id": f"k{i:03d}", "published": "2024-06-06",
         "text": f"Gunmen killed {i + 2} villagers in an attack on a market near {places[i % 4]} on Tuesday, "
                 f"residents said. Report number {i}."}
        for i in range(n)
    ]
    return write_jsonl(tmp_path / "corpus.jsonl", records)


def _ingest_cmd(corpus: Path, url: str) -> list[str]:
    return [sys.executable, "-m", "conflictradar", "ingest", str(corpus), "--db", url]


def _count(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(articles)).scalar_one())
    except Exception:  # the schema may not exist yet while the child starts
        return 0
    finally:
        engine.dispose()


@pytest.mark.slow
def test_killed_ingest_restarted_equals_uninterrupted(db_url: str, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    env = {**os.environ, "CONFLICTRADAR_BATCH_SIZE": "4"}
    child = subprocess.Popen(_ingest_cmd(corpus, db_url), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while _count(db_url) < 4 and time.monotonic() < deadline and child.poll() is None:
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    partial = _count(db_url)
    assert 0 < partial < 24, "the ingest should have been killed part-way"
    subprocess.run(_ingest_cmd(corpus, db_url), env=env, check=True, capture_output=True)

    if db_url.startswith("sqlite"):
        reference_url = f"sqlite:///{tmp_path / 'reference.db'}"
    else:
        from conflictradar.testing import pg_schema_url

        reference_url = pg_schema_url(os.environ["CONFLICTRADAR_TEST_PG_URL"])
    subprocess.run(_ingest_cmd(corpus, reference_url), env=env, check=True, capture_output=True)
    assert _table_dump(db_url) == _table_dump(reference_url)
    if not db_url.startswith("sqlite"):
        from conflictradar.testing import drop_pg_schema

        drop_pg_schema(reference_url)


def test_sqlite_uses_wal(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'w.db'}")
    with store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    store.close()



def test_text_search_finds_sentences_case_insensitively_and_postgres_reads_the_trigram_index(
        core: ConflictRadar) -> None:
    core.ingest_articles([make_article(REPORT, article_id="search")])
    found = core.events(EventQuery(text="MARKET near", raw=True))
    assert found and all("market near" in e.evidence.sentence for e in found)
    assert core.events(EventQuery(text="no such words", raw=True)) == []
    if core.store.engine.dialect.name != "postgresql":
        return
    with core.store.engine.connect() as conn:
        index = conn.execute(text(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_evidence_sentence_trgm' "
            "AND schemaname = current_schema()")).scalar_one()
        assert "gin_trgm_ops" in index and "lower(sentence)" in index
        conn.execute(text("SET enable_seqscan = off"))  # a tiny table: ask what the planner can use
        plan = "\n".join(conn.execute(text(
            "EXPLAIN SELECT event_id FROM evidence WHERE lower(sentence) LIKE '%market near%'")).scalars())
    assert "ix_evidence_sentence_trgm" in plan


def test_postgres_plans_every_query_for_its_own_values(core: ConflictRadar) -> None:
    """A generic plan, reused for all values once a statement is prepared, picks one country's plan for all."""
    if core.store.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's plan cache")
    for engine in (core.store.engine, core.store.reads, core.store.engine):  # also after the pool's reset
        with engine.connect() as conn:
            assert conn.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
