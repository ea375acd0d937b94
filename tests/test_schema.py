"""The record contract: ontology names, JSON round trips, stable ids."""

from __future__ import annotations

import json
from datetime import date

from conflictradar.schema import (
    ACTOR_TYPES,
    EVENT_TYPES,
    SUB_EVENT_TYPES,
    Actor,
    Article,
    Count,
    Event,
    Evidence,
    Location,
    Source,
    Span,
    dumps,
    make_event_id,
)


def test_ontology_is_acleds_six_types_and_twenty_five_sub_types() -> None:
    assert len(EVENT_TYPES) == 6 and len(SUB_EVENT_TYPES) == 25 and len(ACTOR_TYPES) == 8
    assert SUB_EVENT_TYPES["Shelling/artillery/missile attack"] == "Explosions/Remote violence"
    assert SUB_EVENT_TYPES["Abduction/forced disappearance"] == "Violence against civilians"


def _event(**overrides: object) -> Event:
    evidence = Evidence("Gunmen killed two.", 10, 28, (Span("killed", 24, 27, "two"),))
    fields: dict[str, object] = dict(
        event_id=make_event_id("a", 10, 28), article_id="a", event_type="Violence against civilians",
        sub_event_type="Attack", event_date=date(2024, 1, 2), date_precision=1, evidence=evidence,
        actor1=Actor("Unidentified Armed Group", "Political militia"), actor2=Actor("Civilians", "Civilians"),
        location=Location("Gwoza", "Nigeria", "NG", 11.08, 13.69, admin1="Borno", geo_precision=1),
        fatalities=Count(2, 2, 3), injured=1, civilian_targeting=True, confidence=0.83, extractor="x/1",
    )
    fields.update(overrides)
    return Event(**fields)  # type: ignore[arg-type]


def test_event_json_round_trip_and_key_order() -> None:
    event = _event()
    data = json.loads(dumps(event.to_dict()))
    assert Event.from_dict(data) == event
    assert list(data)[:4] == ["event_id", "article_id", "event_type", "sub_event_type"]
    assert "sources" not in data


def test_canonical_event_carries_its_sources() -> None:
    source = Source("b", "e2", "https://x/b", "T", date(2024, 1, 3), Evidence("s", 0, 1), Count.exact(3))
    event = _event(sources=(source,))
    data = event.to_dict()
    assert data["sources"][0]["fatalities"] == {"low": 3, "best": 3, "high": 3}
    assert Event.from_dict(data) == event


def test_event_ids_are_stable_and_distinguish_spans_and_ordinals() -> None:
    assert make_event_id("a", 1, 5) == make_event_id("a", 1, 5)
    assert len({make_event_id("a", 1, 5), make_event_id("a", 1, 6), make_event_id("b", 1, 5),
                make_event_id("a", 1, 5, 1)}) == 4


def test_article_content_hash_depends_on_text_only() -> None:
    one = Article("x", "same text", date(2024, 1, 1))
    assert one.content_hash == Article("y", "same text").content_hash
    assert one.content_hash != Article("x", "other text").content_hash
    assert Article.from_dict(one.to_dict()) == one
