"""The record contract: what goes into conflictradar and what comes out.

Every stage speaks these types and nothing else. The JSON shape of each record is
produced by its ``to_dict`` and read by its ``from_dict``; the README documents it.
Names of event types, sub-types and actor types are ACLED's, spelled exactly as ACLED
spells them (see ``shared/docs/ontology.md``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Final

__all__ = [
    "ACTOR_TYPES",
    "DATE_PRECISIONS",
    "EVENT_TYPES",
    "GEO_PRECISIONS",
    "SUB_EVENT_TYPES",
    "Actor",
    "Article",
    "Count",
    "Event",
    "Evidence",
    "Location",
    "Source",
    "Span",
    "Toponym",
    "dumps",
    "event_type_of",
    "make_event_id",
]

#: ACLED's 6 event types and their 25 sub-event types.
EVENT_TYPES: Final[dict[str, tuple[str, ...]]] = {
    "Battles": (
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
    ),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": (
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
    ),
    "Protests": (
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
    ),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

SUB_EVENT_TYPES: Final[dict[str, str]] = {
    sub: parent for parent, subs in EVENT_TYPES.items() for sub in subs
}

#: ACLED's actor types ("inter" codes 1..8), in code order.
ACTOR_TYPES: Final[tuple[str, ...]] = (
    "State forces",
    "Rebel group",
    "Political militia",
    "Identity militia",
    "Rioters",
    "Protesters",
    "Civilians",
    "External/other force",
)

#: time_precision: 1 day, 2 week, 3 month (ACLED) and 4 year (ours, for rare year-only events).
DATE_PRECISIONS: Final[dict[int, str]] = {1: "day", 2: "week", 3: "month", 4: "year"}

#: geo_precision: 1 the place itself, 2 near it or part of a region, 3 only the province.
GEO_PRECISIONS: Final[dict[int, str]] = {1: "exact place", 2: "near / part of", 3: "region"}


def event_type_of(sub_event_type: str) -> str:
    """The ACLED event type a sub-event type belongs to; KeyError for unknown names."""
    return SUB_EVENT_TYPES[sub_event_type]


def dumps(record: dict[str, Any]) -> str:
    """Canonical JSON for one record: stable key order and no whitespace, so outputs are byte-identical."""
    return json.dumps(record, ensure_ascii=False, sort_keys=False, separators=(",", ":"))


def _opt_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


@dataclass(frozen=True, slots=True)
class Article:
    """One news report as it enters the system."""

    id: str
    text: str
    published: date | None = None
    title: str | None = None
    url: str | None = None
    source: str | None = None

    @property
    def content_hash(self) -> str:
        """SHA-256 of the text: the key that makes re-ingesting an article a no-op."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "published": self.published.isoformat() if self.published else None,
            "title": self.title,
            "url": self.url,
            "source": self.source,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        return cls(
            id=str(data["id"]),
            text=str(data["text"]),
            published=_opt_date(data.get("published")),
            title=data.get("title"),
            url=data.get("url"),
            source=data.get("source"),
        )


@dataclass(frozen=True, slots=True)
class Actor:
    """A canonical actor name with its ACLED actor type (one of ``ACTOR_TYPES``)."""

    name: str
    type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Actor | None:
        return None if data is None else cls(name=data["name"], type=data.get("type"))


@dataclass(frozen=True, slots=True)
class Location:
    """Where an event happened, with ACLED's geo_precision (1, 2 or 3)."""

    name: str | None
    country: str | None
    country_code: str | None
    latitude: float | None
    longitude: float | None
    admin1: str | None = None
    admin2: str | None = None
    geonames_id: int | None = None
    geo_precision: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "admin1": self.admin1,
            "admin2": self.admin2,
            "country": self.country,
            "country_code": self.country_code,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "geonames_id": self.geonames_id,
            "geo_precision": self.geo_precision,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Location | None:
        if data is None:
            return None
        return cls(
            name=data.get("name"),
            admin1=data.get("admin1"),
            admin2=data.get("admin2"),
            country=data.get("country"),
            country_code=data.get("country_code"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            geonames_id=data.get("geonames_id"),
            geo_precision=data.get("geo_precision"),
        )


@dataclass(frozen=True, slots=True)
class Count:
    """A reported number as low/best/high (a single figure has all three equal)."""

    low: int
    best: int
    high: int

    @classmethod
    def exact(cls, n: int) -> Count:
        return cls(n, n, n)

    @classmethod
    def zero(cls) -> Count:
        return cls(0, 0, 0)

    def to_dict(self) -> dict[str, int]:
        return {"low": self.low, "best": self.best, "high": self.high}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | int | None) -> Count:
        if data is None:
            return cls.zero()
        if isinstance(data, int):
            return cls.exact(data)
        return cls(int(data["low"]), int(data["best"]), int(data["high"]))


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled piece of evidence: which characters of the article said the actor, place, date or toll."""

    label: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(label=data["label"], start=int(data["start"]), end=int(data["end"]), text=data["text"])


@dataclass(frozen=True, slots=True)
class Evidence:
    """The sentence an event was read from, as character offsets into the article text."""

    sentence: str
    start: int
    end: int
    spans: tuple[Span, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentence": self.sentence,
            "start": self.start,
            "end": self.end,
            "spans": [s.to_dict() for s in self.spans],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        return cls(
            sentence=data["sentence"],
            start=int(data["start"]),
            end=int(data["end"]),
            spans=tuple(Span.from_dict(s) for s in data.get("spans", ())),
        )


def make_event_id(article_id: str, start: int, end: int, ordinal: int = 0) -> str:
    """Stable id of an event: a hash of its article and evidence span (ordinal separates events of one sentence)."""
    key = f"{article_id}\x1f{start}\x1f{end}\x1f{ordinal}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


@dataclass(frozen=True, slots=True)
class Source:
    """One report behind a canonical (merged) event: which article said it, where, and the toll it gave."""

    article_id: str
    event_id: str
    url: str | None
    title: str | None
    published: date | None
    evidence: Evidence
    fatalities: Count

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "event_id": self.event_id,
            "url": self.url,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "evidence": self.evidence.to_dict(),
            "fatalities": self.fatalities.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Source:
        return cls(
            article_id=data["article_id"],
            event_id=data["event_id"],
            url=data.get("url"),
            title=data.get("title"),
            published=_opt_date(data.get("published")),
            evidence=Evidence.from_dict(data["evidence"]),
            fatalities=Count.from_dict(data.get("fatalities")),
        )


@dataclass(frozen=True, slots=True)
class Event:
    """One coded event, read from one article (a *report*; clustering merges reports later)."""

    event_id: str
    article_id: str
    event_type: str
    sub_event_type: str
    event_date: date
    date_precision: int
    evidence: Evidence
    actor1: Actor | None = None
    actor2: Actor | None = None
    location: Location | None = None
    fatalities: Count = field(default_factory=Count.zero)
    injured: int | None = None
    abducted: int | None = None
    arrested: int | None = None
    civilian_targeting: bool = False
    historical: bool = False
    confidence: float = 0.5
    extractor: str = ""
    #: Only on canonical (merged) events: every report of this event. Empty on per-article records.
    sources: tuple[Source, ...] = ()

    def with_location(self, location: Location | None) -> Event:
        return replace(self, location=location)

    def to_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "article_id": self.article_id,
            "event_type": self.event_type,
            "sub_event_type": self.sub_event_type,
            "event_date": self.event_date.isoformat(),
            "date_precision": self.date_precision,
            "actor1": self.actor1.to_dict() if self.actor1 else None,
            "actor2": self.actor2.to_dict() if self.actor2 else None,
            "location": self.location.to_dict() if self.location else None,
            "fatalities": self.fatalities.to_dict(),
            "injured": self.injured,
            "abducted": self.abducted,
            "arrested": self.arrested,
            "civilian_targeting": self.civilian_targeting,
            "historical": self.historical,
            "confidence": round(self.confidence, 4),
            "evidence": self.evidence.to_dict(),
            "extractor": self.extractor,
        } | ({"sources": [s.to_dict() for s in self.sources]} if self.sources else {})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        event_date = _opt_date(data["event_date"])
        assert event_date is not None
        return cls(
            event_id=data["event_id"],
            article_id=data["article_id"],
            event_type=data["event_type"],
            sub_event_type=data["sub_event_type"],
            event_date=event_date,
            date_precision=int(data["date_precision"]),
            actor1=Actor.from_dict(data.get("actor1")),
            actor2=Actor.from_dict(data.get("actor2")),
            location=Location.from_dict(data.get("location")),
            fatalities=Count.from_dict(data.get("fatalities")),
            injured=data.get("injured"),
            abducted=data.get("abducted"),
            arrested=data.get("arrested"),
            civilian_targeting=bool(data.get("civilian_targeting", False)),
            historical=bool(data.get("historical", False)),
            confidence=float(data.get("confidence", 0.5)),
            evidence=Evidence.from_dict(data["evidence"]),
            extractor=data.get("extractor", ""),
            sources=tuple(Source.from_dict(s) for s in data.get("sources", ())),
        )


@dataclass(frozen=True, slots=True)
class Toponym:
    """A place name found in a text and, when resolved, where it is."""

    start: int
    end: int
    text: str
    name: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    country_code: str | None = None
    admin1: str | None = None
    geonames_id: int | None = None
    feature_class: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "name": self.name,
            "latitude": self.latitude,
            "longitude": self.longitude,
            "country_code": self.country_code,
            "admin1": self.admin1,
            "geonames_id": self.geonames_id,
        }
