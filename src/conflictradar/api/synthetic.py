"""Deterministic synthetic articles and events for the API tests, the browser tests and the benchmark.

The places are real (name, admin1, rough coordinates) so the map has something to show; the actors,
dates and tolls are invented from a seeded random generator. Each article is one sentence built from
a template, and the event's evidence spans point into it exactly as the extractor's would.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Final

from ..schema import Actor, Article, Count, Event, Evidence, Location, Span, make_event_id

__all__ = ["PLACES", "synthetic_batch"]

#: (place, admin1, country, ISO2, latitude, longitude): coordinates rounded from public atlases.
PLACES: Final = (
    ("El Fasher", "North Darfur", "Sudan", "SD", 13.63, 25.35),
    ("Omdurman", "Khartoum", "Sudan", "SD", 15.64, 32.48),
    ("Nyala", "South Darfur", "Sudan", "SD", 12.05, 24.88),
    ("Mopti", "Mopti", "Mali", "ML", 14.49, -4.20),
    ("Gao", "Gao", "Mali", "ML", 16.27, -0.04),
    ("Maiduguri", "Borno", "Nigeria", "NG", 11.85, 13.16),
    ("Zaria", "Kaduna", "Nigeria", "NG", 11.09, 7.72),
    ("Aden", "Aden", "Yemen", "YE", 12.78, 45.04),
    ("Taiz", "Taiz", "Yemen", "YE", 13.58, 44.02),
    ("Goma", "North Kivu", "Democratic Republic of the Congo", "CD", -1.68, 29.23),
    ("Bunia", "Ituri", "Democratic Republic of the Congo", "CD", 1.57, 30.25),
    ("Kharkiv", "Kharkiv", "Ukraine", "UA", 49.99, 36.23),
)
_ACTORS: Final = (
    ("Military Forces", "State forces"), ("Rapid Support Forces", "Rebel group"),
    ("Unidentified Armed Group", "Political militia"), ("Police Forces", "State forces"),
    ("Communal Militia", "Identity militia"), ("Civilians", "Civilians"),
)
_KINDS: Final = (  # (event type, sub-event type, verb)
    ("Battles", "Armed clash", "clashed with"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", "shelled"),
    ("Explosions/Remote violence", "Air/drone strike", "struck"),
    ("Violence against civilians", "Attack", "attacked"),
)
_LEAD: Final = "Local officials gave this account. "


def _event(rng: random.Random, n: int, first_day: date, days: int) -> tuple[Article, Event]:
    place, admin1, country, cc, lat, lon = rng.choice(PLACES)
    a1, t1 = rng.choice(_ACTORS[:-1])  # civilians are targets here, never attackers
    a2, t2 = rng.choice([a for a in _ACTORS if a[0] != a1])
    event_type, sub_type, verb = rng.choice(_KINDS)
    day = first_day + timedelta(days=rng.randrange(days))
    killed = rng.choice((0, 0, 1, 2, 3, 5, 8, 13, 40))
    parts = [("actor1", a1), ("", " "), ("trigger", verb), ("", " "), ("actor2", a2), ("", " in "),
             ("place", place), ("", " on "), ("date", day.strftime("%d %B %Y")), ("", ", killing "),
             ("killed", str(killed)), ("", " people.")]
    spans, sentence, at = [], "", len(_LEAD)
    for label, piece in parts:
        if label:
            spans.append(Span(label, at + len(sentence), at + len(sentence) + len(piece), piece))
        sentence += piece
    article = Article(f"synthetic-{n:07d}", _LEAD + sentence, day + timedelta(days=1), f"Report {n}",
                      f"https://example.org/synthetic/{n}", "Synthetic Wire")
    jitter = (rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3))
    event = Event(
        event_id=make_event_id(article.id, at, at + len(sentence)), article_id=article.id, event_type=event_type,
        sub_event_type=sub_type, event_date=day, date_precision=1,
        evidence=Evidence(sentence, at, at + len(sentence), tuple(spans)),
        actor1=Actor(a1, t1), actor2=Actor(a2, t2),
        location=Location(place, country, cc, round(lat + jitter[0], 5), round(lon + jitter[1], 5), admin1=admin1,
                          geo_precision=1),
        fatalities=Count.exact(killed), civilian_targeting=a2 == "Civilians", confidence=0.8,
        extractor="synthetic/1",
    )
    return article, event


def synthetic_batch(count: int, seed: int = 7, start: int = 0, first_day: date = date(2023, 1, 1),
                    days: int = 730) -> Iterator[tuple[Article, list[Event]]]:
    """``count`` articles numbered from ``start``, each with its one event; the same arguments give the same data."""
    for n in range(start, start + count):
        article, event = _event(random.Random(seed * 1_000_003 + n), n, first_day, days)
        yield article, [event]
