"""Clusters in the database (SQLite and PostgreSQL): incremental == rebuild, canonical reads, audit, --raw."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from conflictradar.app import ConflictRadar
from conflictradar.cli import app as cli
from conflictradar.schema import Actor, Article, Count, Event, Evidence, Location, Span
from conflictradar.store import EventQuery
from conflictradar.store.tables import cluster_members, clusters

TOWNS = {"Gao": (16.27, -0.04), "Mopti": (14.49, -4.2), "Kidal": (18.44, 1.41)}
TARGETS = ("market", "mosque", "checkpoint", "school")


def _event(article_id: str, sentence: str, day: date, town: str, deaths: int, kind: str = "attack") -> Event:
    lat, lon = TOWNS[town]
    battle = kind == "clash"
    return Event(
        event_id=f"{article_id}-e", article_id=article_id,
        event_type="Battles" if battle else "Violence against civilians",
        sub_event_type="Armed clash" if battle else "Attack", event_date=day, date_precision=1,
        evidence=Evidence(sentence, 0, len(sentence), (Span("trigger", 0, 6, sentence[:6]),)),
        actor1=Actor("Unidentified Armed Group", "Political militia"),
        actor2=Actor("Military Forces", "State forces") if battle else Actor("Civilians", "Civilians"),
        location=Location(town, "Mali", "ML", lat, lon, admin1=town, geo_precision=1),
        fatalities=Count.exact(deaths), civilian_targeting=not battle, confidence=0.7, extractor="test",
    )


def _reports(n_events: int, seed: int) -> list[tuple[Article, list[Event]]]:
    """Several articles per event, each its own wording and toll; some towns are hit twice on one day."""
    rng = random.Random(seed)
    batch = []
    for e in range(n_events):
        town = rng.choice(sorted(TOWNS))
        day = date(2024, 2, 1) + timedelta(days=rng.randrange(20))
        target = TARGETS[e % len(TARGETS)]
        for k in range(rng.randint(1, 3)):
            sentence = f"Report {k} of incident {e}: gunmen struck the {target} in {town}, killing {3 + k}."
            article = Article(f"ev{e:02d}-{k}", sentence, day + timedelta(days=k), title=f"Attack {e}",
                              url=f"https://news.example/{e}/{k}")
            batch.append((article, [_event(article.id, sentence, day, town, 3 + k)]))
    return batch


def _snapshot(core: ConflictRadar) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with core.store.engine.connect() as conn:
        canon = [tuple(r) for r in conn.execute(select(clusters).order_by(clusters.c.event_id))]
        members = [tuple(r) for r in conn.execute(select(cluster_members).order_by(cluster_members.c.event_id))]
    return canon, members


def test_incremental_clustering_equals_a_full_rebuild(core: ConflictRadar) -> None:
    batch = _reports(24, seed=1)
    random.Random(7).shuffle(batch)
    for i in range(0, len(batch), 5):  # arrive in small batches, clustered after each
        chunk = batch[i:i + 5]
        core.store.save(chunk)
        core.cluster([e.event_id for _a, evs in chunk for e in evs])
    incremental = _snapshot(core)
    report = core.cluster(rebuild=True)
    assert _snapshot(core) == incremental
    assert report.reports == len(batch) and 0 < report.clusters < len(batch)


def test_events_are_canonical_by_default_and_raw_on_request(core: ConflictRadar) -> None:
    day = date(2024, 3, 5)
    one = [(Article(f"m{k}", f"Gunmen attacked the market in Gao, killing {4 + k}.", day, url=f"u{k}"),
            [_event(f"m{k}", f"Gunmen attacked the market in Gao, killing {4 + k}.", day, "Gao", 4 + k)])
           for k in range(3)]
    other = (Article("s0", "Gunmen attacked a school in Gao, killing 2.", day),
             [_event("s0", "Gunmen attacked a school in Gao, killing 2.", day, "Gao", 2)])
    core.store.save([*one, other])
    core.cluster()
    canonical = core.events()
    assert len(canonical) == 2 and len(core.events(EventQuery(raw=True))) == 4
    assert core.store.count_events() == 2 and core.store.count_events(EventQuery(raw=True)) == 4
    market = next(e for e in canonical if len(e.sources) == 3)
    assert (market.fatalities.low, market.fatalities.best, market.fatalities.high) == (4, 5, 6)
    assert [s.article_id for s in market.sources] == ["m0", "m1", "m2"]
    assert market.sources[1].fatalities == Count.exact(5) and market.sources[0].url == "u0"
    assert "sources" in market.to_dict() and core.store.event(market.event_id) == market
    assert core.events(EventQuery(text="school"))[0].sources[0].article_id == "s0"
    explained = core.explain_cluster("m2-e")
    assert explained is not None and explained["cluster_id"] == market.event_id
    assert {m["event_id"] for m in explained["members"]} == {"m0-e", "m1-e", "m2-e"}
    assert "different targets" in explained["kept_apart"][0]["why"]


def test_replacing_an_article_updates_its_cluster(core: ConflictRadar) -> None:
    batch = _reports(6, seed=4)
    core.store.save(batch)
    core.cluster()
    article, events = batch[0]
    changed = Article(article.id, article.text + " Officials later revised the toll.", article.published)
    moved = _event(article.id, changed.text, events[0].event_date + timedelta(days=9), "Kidal", 1)
    core.store.save([(changed, [moved])], replace=True)
    core.cluster(check_dirty=True)
    updated = _snapshot(core)
    core.cluster(rebuild=True)
    assert _snapshot(core) == updated
    assert sum(len(e.sources) for e in core.events()) == len(batch)


def test_cli_cluster_explain_and_raw_flags(db_url: str, tmp_path: object) -> None:
    core = ConflictRadar(db_url=db_url)
    core.store.save(_reports(5, seed=2))
    core.close()
    runner = CliRunner()
    rebuilt = runner.invoke(cli, ["cluster", "--rebuild", "--db", db_url])
    assert rebuilt.exit_code == 0, rebuilt.output
    canonical = runner.invoke(cli, ["events", "--db", db_url, "--format", "jsonl"]).output.splitlines()
    raw = runner.invoke(cli, ["events", "--db", db_url, "--format", "jsonl", "--raw"]).output.splitlines()
    assert 0 < len(canonical) < len(raw)
    first = json.loads(canonical[0])
    assert first["sources"] and "sources" not in json.loads(raw[0])
    explained = runner.invoke(cli, ["cluster", "explain", first["event_id"], "--db", db_url])
    assert explained.exit_code == 0 and json.loads(explained.output)["cluster_id"] == first["event_id"]
    missing = runner.invoke(cli, ["cluster", "explain", "nope", "--db", db_url])
    assert missing.exit_code == 1 and "E071" in missing.output


def test_ingest_clusters_each_batch(core: ConflictRadar) -> None:
    from conflictradar.testing import make_article

    texts = ["Gunmen killed 12 civilians at a market in Mopti, Mali, on Tuesday.",
             "At least 14 people died when armed men opened fire on a crowded market in Mopti on Tuesday."]
    core.ingest_articles([make_article(t, "2024-05-08") for t in texts])
    raw = core.events(EventQuery(raw=True))
    canonical = core.events()
    assert len(raw) == 2
    assert len(canonical) == 1 and len(canonical[0].sources) == 2


def test_canonical_export_is_byte_identical_after_a_rebuild(core: ConflictRadar, tmp_path: Path) -> None:
    core.store.save(_reports(10, seed=8))
    core.cluster()
    core.export("jsonl", tmp_path / "first.jsonl")
    core.cluster(rebuild=True)
    core.export("jsonl", tmp_path / "second.jsonl")
    first = (tmp_path / "first.jsonl").read_bytes()
    assert first == (tmp_path / "second.jsonl").read_bytes()
    assert b'"sources"' in first


def test_incremental_equals_rebuild_across_a_border(core: ConflictRadar) -> None:
    """Reports in one grid cell but different (or unknown) countries: each batch must see the right neighbours."""
    day = date(2024, 4, 2)
    batch = []
    for i, code in enumerate(["ML", "BF", "ML", "BF"]):
        sentence = f"Account {i}: gunmen struck the market in Gao."
        event = _event(f"b{i}", sentence, day, "Gao", 5)
        assert event.location is not None
        located = replace(event, location=replace(event.location, country_code=code))
        batch.append((Article(f"b{i}", sentence, day), [located]))
    for chunk in (batch[:2], batch[2:]):  # two countries in one batch share a grid cell and week
        core.store.save(chunk)
        core.cluster([evs[0].event_id for _a, evs in chunk])
    incremental = _snapshot(core)
    core.cluster(rebuild=True)
    assert _snapshot(core) == incremental


def test_the_first_clustering_takes_every_stored_report(core: ConflictRadar) -> None:
    """Reports stored before clustering ran must not vanish from the canonical view."""
    batch = _reports(6, seed=3)
    core.store.save(batch[:-1])  # stored without clustering (an older version, or a writer that skips it)
    core.store.save(batch[-1:])
    core.cluster([batch[-1][1][0].event_id])  # what ingest does for its own batch
    assert sum(len(e.sources) for e in core.events()) == len(batch)
