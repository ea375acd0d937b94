"""Batched saves stay idempotent and all-or-nothing, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from conflictradar.errors import StoreError
from conflictradar.schema import Article, Count, Event, Evidence, Span, make_event_id
from conflictradar.store import EventQuery, Store


def _article(n: int, text: str | None = None) -> Article:
    body = text or f"Gunmen attacked a checkpoint near the town on Monday, report number {n}."
    return Article(id=f"batch-{n}", text=body, published=date(2024, 3, 4), source="Test Wire")


def _events(article: Article, count: int = 2) -> list[Event]:
    found = []
    for ordinal in range(count):
        start, end = 0, len(article.text)
        found.append(Event(
            event_id=make_event_id(article.id, start, end, ordinal), article_id=article.id,
            event_type="Battles", sub_event_type="Armed clash", event_date=date(2024, 3, 4), date_precision=1,
            evidence=Evidence(article.text, start, end, (Span("trigger", 7, 15, article.text[7:15]),)),
            fatalities=Count.exact(ordinal), extractor="test/0"))
    return found


def _batch(first: int, last: int) -> list[tuple[Article, list[Event]]]:
    return [(a, _events(a)) for a in map(_article, range(first, last))]


def test_a_big_batch_is_stored_whole_and_saving_it_again_adds_nothing(db_url: str) -> None:
    store = Store(db_url)
    first = store.save(_batch(0, 150))
    again = store.save(_batch(0, 150))
    assert (first.articles_added, first.events_added) == (150, 300)
    assert (again.articles_added, again.events_added, again.articles_skipped) == (0, 0, 150)
    assert store.count_articles() == 150
    assert store.count_events(EventQuery(raw=True)) == 300
    store.close()


def test_overlapping_batches_and_repeats_inside_one_batch_store_each_article_once(db_url: str) -> None:
    store = Store(db_url)
    store.save(_batch(0, 10))
    overlapping = _batch(5, 15) + _batch(12, 14)
    report = store.save(overlapping)
    assert report.articles_added == 5
    assert report.articles_skipped == 7
    assert store.count_articles() == 15
    assert store.count_events(EventQuery(raw=True)) == 30
    store.close()


def test_a_failing_batch_leaves_the_stored_data_unchanged(db_url: str) -> None:
    store = Store(db_url)
    store.save(_batch(0, 3))
    before = [e.to_dict() for e in store.events(EventQuery(raw=True))]
    orphan = _events(_article(99))[0]
    bad = [*_batch(3, 6), (_article(7), [orphan])]  # the orphan names article 99, never stored: FK violation
    with pytest.raises(StoreError) as caught:
        store.save(bad)
    assert caught.value.code.name == "E030"
    assert store.count_articles() == 3
    assert [e.to_dict() for e in store.events(EventQuery(raw=True))] == before
    store.close()


def test_changed_text_is_rejected_without_replace_and_swapped_with_it(db_url: str) -> None:
    store = Store(db_url)
    store.save(_batch(0, 2))
    edited = _article(1, "Troops clashed with rebels near the border on Tuesday, a corrected report said.")
    rejected = store.save([(edited, _events(edited, 1))])
    assert [e.code.name for e in rejected.rejected] == ["E011"]
    replaced = store.save([(edited, _events(edited, 1))], replace=True)
    assert (replaced.articles_replaced, replaced.events_added) == (1, 1)
    assert store.article("batch-1") == edited
    assert store.count_events(EventQuery(raw=True)) == 3
    store.close()
