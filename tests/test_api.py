"""The HTTP API over real databases (SQLite, then PostgreSQL): filters, pagination, evidence, stats, writes."""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from conflictradar.api import create_app
from conflictradar.api.synthetic import synthetic_batch
from conflictradar.app import ConflictRadar
from conflictradar.schema import Event
from conflictradar.store.keys import create_key, revoke_key

N_EVENTS = 80


@pytest.fixture
def stored(core: ConflictRadar) -> list[Event]:
    batch = list(synthetic_batch(N_EVENTS, seed=11))
    core.store.save(batch)
    return [event for _article, events in batch for event in events]


@pytest.fixture
def client(core: ConflictRadar, stored: list[Event]) -> Iterator[TestClient]:
    with TestClient(create_app(core)) as test_client:
        yield test_client


def _ids(events: list[Event]) -> set[str]:
    return {e.event_id for e in events}


def test_country_and_date_filters_return_exactly_the_matching_events(client: TestClient, stored: list[Event]) -> None:
    params = {"country": "SD", "since": "2023-06-01", "until": "2024-03-31", "limit": 1000}
    body = client.get("/events", params=params).json()
    expected = [e for e in stored if e.location and e.location.country_code == "SD"
                and date(2023, 6, 1) <= e.event_date <= date(2024, 3, 31)]
    assert expected, "the synthetic data must contain matching events"
    assert {e["event_id"] for e in body["events"]} == _ids(expected)
    dates = [e["event_date"] for e in body["events"]]
    assert dates == sorted(dates, reverse=True)
    assert body["next_cursor"] is None


@pytest.mark.parametrize("params, keep", [
    ({"type": "Battles"}, lambda e: e.event_type == "Battles"),
    ({"sub_type": "Air/drone strike"}, lambda e: e.sub_event_type == "Air/drone strike"),
    ({"actor": "police"}, lambda e: "Police" in e.actor1.name or "Police" in e.actor2.name),
    ({"min_fatalities": 8}, lambda e: e.fatalities.best >= 8),
    ({"admin1": "north darfur"}, lambda e: e.location.admin1 == "North Darfur"),
    ({"bbox": "20,10,35,20"}, lambda e: 20 <= e.location.longitude <= 35 and 10 <= e.location.latitude <= 20),
    ({"q": "mopti"}, lambda e: "Mopti" in e.evidence.sentence),
    ({"country": "Mali"}, lambda e: e.location.country == "Mali"),
])
def test_each_filter_keeps_only_matching_events(client: TestClient, stored: list[Event], params: dict[str, object],
                                                keep: object) -> None:
    body = client.get("/events", params=params | {"limit": 1000}).json()
    expected = [e for e in stored if keep(e)]  # type: ignore[operator]
    assert expected and len(expected) < len(stored)
    assert {e["event_id"] for e in body["events"]} == _ids(expected)


@pytest.mark.parametrize("sort", ["date", "-date", "fatalities", "-fatalities"])
def test_cursor_pagination_walks_every_event_once_in_order(client: TestClient, stored: list[Event], sort: str) -> None:
    seen: list[dict[str, object]] = []
    params: dict[str, object] = {"limit": 7, "sort": sort}
    while True:
        page = client.get("/events", params=params).json()
        seen += page["events"]
        if not page["next_cursor"]:
            break
        params["cursor"] = page["next_cursor"]
    assert len(seen) == len(stored)
    assert {e["event_id"] for e in seen} == _ids(stored)
    key = ((lambda e: (e["fatalities"]["best"], e["event_id"])) if "fatalities" in sort
           else (lambda e: (e["event_date"], e["event_id"])))
    assert seen == sorted(seen, key=key, reverse=sort.startswith("-"))


@pytest.mark.parametrize("params, code", [
    ({"bbox": "1,2,3"}, "E070"),
    ({"bbox": "10,0,5,1"}, "E070"),
    ({"bbox": "nan,0,5,1"}, "E070"),
    ({"since": "2024-02-01", "until": "2024-01-01"}, "E070"),
    ({"since": "yesterday"}, "E070"),
    ({"type": "Skirmish"}, "E022"),
    ({"sub_type": "Battles"}, "E022"),
    ({"limit": 0}, "E070"),
    ({"limit": 100000}, "E070"),
    ({"min_fatalities": -1}, "E070"),
    ({"cursor": "not-a-cursor"}, "E074"),
    ({"country": "S\x00D"}, "E070"),
    ({"sort": "actor"}, "E070"),
])
def test_bad_parameters_get_a_4xx_with_the_catalogue_code(client: TestClient, params: dict[str, object],
                                                          code: str) -> None:
    response = client.get("/events", params=params)
    assert 400 <= response.status_code < 500
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"].startswith(code)


def test_a_cursor_from_another_sort_order_is_refused(client: TestClient) -> None:
    cursor = client.get("/events", params={"limit": 2, "sort": "date"}).json()["next_cursor"]
    response = client.get("/events", params={"limit": 2, "sort": "fatalities", "cursor": cursor})
    assert response.status_code == 400 and response.json()["error"]["code"] == "E074"


def test_one_event_carries_its_evidence_and_article(client: TestClient, stored: list[Event]) -> None:
    wanted = stored[5]
    body = client.get(f"/events/{wanted.event_id}").json()
    assert body["event_id"] == wanted.event_id
    assert body["article"]["id"] == wanted.article_id and body["article"]["url"].startswith("https://")
    text = client.get(f"/articles/{wanted.article_id}").json()["text"]
    evidence = body["evidence"]
    assert text[evidence["start"]:evidence["end"]] == evidence["sentence"]
    labels = {span["label"] for span in evidence["spans"]}
    assert {"actor1", "trigger", "place", "date", "killed"} <= labels
    for span in evidence["spans"]:
        assert text[span["start"]:span["end"]] == span["text"]


def test_unknown_ids_are_404(client: TestClient) -> None:
    for path in ("/events/0000000000", "/articles/no-such-article"):
        response = client.get(path)
        assert response.status_code == 404 and response.json()["error"]["code"] == "E071"


def test_article_lists_its_events(client: TestClient, stored: list[Event]) -> None:
    body = client.get(f"/articles/{stored[0].article_id}").json()
    assert body["event_ids"] == [stored[0].event_id]


@pytest.mark.parametrize("compact", [False, True])
def test_geojson_has_one_point_per_located_event(client: TestClient, stored: list[Event], compact: bool) -> None:
    response = client.get("/events.geojson", params={"country": "YE", "compact": compact, "limit": 1000})
    assert response.headers["content-type"].startswith("application/geo+json")
    body = response.json()
    expected = {e.event_id: e for e in stored if e.location and e.location.country_code == "YE"}
    assert body["type"] == "FeatureCollection"
    assert {f["id"] for f in body["features"]} == set(expected)
    for feature in body["features"]:
        loc = expected[feature["id"]].location
        assert loc is not None
        assert feature["geometry"]["coordinates"] == [loc.longitude, loc.latitude]
        assert feature["properties"]["fatalities" if compact else "event_id"] is not None


@pytest.mark.parametrize("row", [
    ("e1", 36.2, -1.28, "Battles", date(2024, 5, 1), 3, "KE", "Nairobi City", "Nairobi"),
    ("e\"2", -0.5, 51.0, "Protests", "2024-05-02", 0, "GB", None, 'Tal "Afar" \\ é\n\u2028'),
    ("e3", 10, 1e-7, "Riots", date(2024, 5, 3), None, "DE", "Baden-Württemberg", "Ulm\x01"),
])
def test_compact_map_points_are_written_as_json_would_write_them(row: tuple[object, ...]) -> None:
    from conflictradar.store.stats import point_feature

    event_id, lon, lat, event_type, event_date, deaths, cc, admin1, place = row
    as_dict = {"type": "Feature", "id": event_id, "geometry": {"type": "Point", "coordinates": [lon, lat]},
               "properties": {"type": event_type, "date": str(event_date), "fatalities": deaths,
                              "country_code": cc, "admin1": admin1, "place": place}}
    assert point_feature(row) == json.dumps(as_dict, ensure_ascii=False, separators=(",", ":"))


#: Names a database must hand back intact inside the map's JSON text (PostgreSQL writes it there).
AWKWARD_NAMES = ('Tal "Afar"', "back\\slash", "line\nbreak\ttab", "Ulm\x01", "Baden-Württemberg", "\u2028sep",
                 "حلب", "a/b", None)


def test_compact_map_text_holds_the_stored_values_newest_first(core: ConflictRadar) -> None:
    batch = list(synthetic_batch(len(AWKWARD_NAMES), seed=5))
    awkward = []
    for (article, events), name in zip(batch, AWKWARD_NAMES, strict=True):
        event = events[0]
        assert event.location is not None
        location = replace(event.location, name=name, admin1=name, latitude=12.345678901234567,
                           longitude=-3.0 if name is None else 45.123456789)
        awkward.append((article, [replace(event, location=location)]))
    core.store.save(awkward)
    with TestClient(create_app(core)) as client:
        response = client.get("/events.geojson", params={"compact": True, "limit": 100})
    assert response.status_code == 200
    features = response.json()["features"]
    stored = sorted((events[0] for _article, events in awkward), key=lambda e: (e.event_date, e.event_id),
                    reverse=True)
    assert [f["id"] for f in features] == [e.event_id for e in stored]
    for feature, event in zip(features, stored, strict=True):
        loc = event.location
        assert loc is not None
        assert feature["geometry"]["coordinates"] == [loc.longitude, loc.latitude]
        assert feature["properties"] == {"type": event.event_type, "date": event.event_date.isoformat(),
                                         "fatalities": event.fatalities.best, "country_code": loc.country_code,
                                         "admin1": loc.admin1, "place": loc.name}


def _month(e: Event) -> str:
    return e.event_date.isoformat()[:7]


def _monday(e: Event) -> str:
    return date.fromordinal(e.event_date.toordinal() - e.event_date.weekday()).isoformat()


@pytest.mark.parametrize("by, key", [
    ("month", _month),
    ("week", _monday),
    ("day", lambda e: e.event_date.isoformat()),
    ("country", lambda e: e.location.country_code),
    ("admin1", lambda e: e.location.admin1),
    ("type", lambda e: e.event_type),
    ("sub_type", lambda e: e.sub_event_type),
])
def test_stats_match_counts_computed_from_the_records(client: TestClient, stored: list[Event], by: str,
                                                      key: object) -> None:
    body = client.get("/stats", params={"by": by, "top": 1000}).json()
    events, deaths = Counter[str](), Counter[str]()
    for e in stored:
        events[key(e)] += 1  # type: ignore[operator]
        deaths[key(e)] += e.fatalities.best  # type: ignore[operator]
    assert {g["key"]: (g["events"], g["fatalities"]) for g in body["groups"]} == {
        k: (events[k], deaths[k]) for k in events}
    assert body["totals"]["events"] == len(stored)
    assert body["totals"]["fatalities"] == sum(e.fatalities.best for e in stored)
    if by in ("month", "week", "day"):
        assert [g["key"] for g in body["groups"]] == sorted(events)


def test_stats_by_actor_counts_both_sides_and_respects_filters(client: TestClient, stored: list[Event]) -> None:
    body = client.get("/stats", params={"by": "actor", "country": "NG", "top": 1000}).json()
    expected = Counter[str]()
    for e in stored:
        if e.location and e.location.country_code == "NG":
            expected.update(a.name for a in (e.actor1, e.actor2) if a)
    assert {g["key"]: g["events"] for g in body["groups"]} == dict(expected)
    counts = [g["events"] for g in body["groups"]]
    assert counts == sorted(counts, reverse=True)


def test_unknown_stats_grouping_is_a_400(client: TestClient) -> None:
    response = client.get("/stats", params={"by": "colour"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "E022"


def test_writes_need_a_valid_key(core: ConflictRadar, client: TestClient) -> None:
    article = {"id": "w1", "text": "Gunmen attacked a village."}
    assert client.post("/articles", json=article).status_code == 401
    assert client.post("/articles", json=article, headers={"X-API-Key": "cr_guess"}).status_code == 403
    _record, key = create_key(core.store, "revoked-one")
    revoke_key(core.store, "revoked-one")
    response = client.post("/articles", json=article, headers={"X-API-Key": key})
    assert response.status_code == 403 and response.json()["error"]["code"] == "E073"


def test_bad_article_bodies_are_422_or_rejected_by_index(core: ConflictRadar, client: TestClient) -> None:
    _record, key = create_key(core.store, "writer")
    headers = {"X-API-Key": key}
    assert client.post("/articles", json={"id": "x"}, headers=headers).status_code == 422
    assert client.post("/articles", json=[], headers=headers).status_code == 400
    assert client.post("/articles", content=b"{not json", headers=headers).status_code == 422
    body = client.post("/articles", json=[{"id": "  ", "text": "x"}, {"id": "n", "text": "a\x00b"}],
                       headers=headers).json()
    assert [(r["index"], r["code"]) for r in body["rejected"]] == [(0, "E006"), (1, "E006")]
    assert body["articles_added"] == 0


def test_reads_can_require_a_key(core: ConflictRadar, stored: list[Event]) -> None:
    with TestClient(create_app(core, require_key_for_reads=True)) as locked:
        assert locked.get("/events").status_code == 401
        _record, key = create_key(core.store, "reader")
        assert locked.get("/events", headers={"X-API-Key": key}).status_code == 200


@pytest.mark.slow
def test_posted_articles_are_extracted_stored_and_idempotent(core: ConflictRadar, client: TestClient) -> None:
    _record, key = create_key(core.store, "ingest-bot")
    headers = {"X-API-Key": key}
    article = {"id": "api-1", "published": "2024-05-02", "title": "Clash reported",
               "text": "Soldiers clashed with rebels near the town of Gao on Monday, and five people were "
                       "killed in the fighting, officials said on Tuesday."}
    before = client.get("/stats", params={"by": "type"}).json()["totals"]["events"]  # now cached
    on_map = client.get("/events/clusters").json()["events"]  # cached too
    first = client.post("/articles", json=article, headers=headers)
    assert first.status_code == 201, first.text
    after = client.get("/stats", params={"by": "type"}).json()["totals"]["events"]
    assert after == before + first.json()["events_added"], "a write through the API must refresh the stats"
    assert client.get("/events/clusters").json()["events"] == on_map + first.json()["events_added"], \
        "and the map's clusters"
    assert first.json()["articles_added"] == 1 and first.json()["article_ids"] == ["api-1"]
    again = client.post("/articles", json=[article], headers=headers)
    assert again.status_code == 200 and again.json()["articles_skipped"] == 1
    stored = client.get("/articles/api-1").json()
    assert stored["title"] == "Clash reported"
    assert len(stored["event_ids"]) == first.json()["events_added"] >= 1
    event = client.get(f"/events/{stored['event_ids'][0]}").json()
    assert event["article_id"] == "api-1"


def test_openapi_documents_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/events", "/events.geojson", "/events/{event_id}", "/stats", "/articles",
            "/articles/{article_id}"} <= set(paths)
    assert "X-API-Key" in str(paths["/articles"]["post"]) or "APIKeyHeader" in str(paths["/articles"]["post"])


@pytest.mark.parametrize("path", ["/events/a%00b", "/articles/a%00b", "/events?actor=%00", "/stats?admin1=x%00"])
def test_nul_characters_are_a_400_not_a_database_error(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400 and response.json()["error"]["code"] == "E070"


def test_stats_cache_reuses_answers_until_it_expires_and_can_be_off() -> None:
    from conflictradar.api.cache import TtlCache

    calls: list[int] = []

    def compute() -> bytes:
        calls.append(1)
        return str(len(calls)).encode()

    cache = TtlCache(ttl=60)
    assert cache.get_or_compute("k", compute) == cache.get_or_compute("k", compute) == b"1"
    cache.clear()
    assert cache.get_or_compute("k", compute) == b"2"
    off = TtlCache(ttl=0)
    assert off.get_or_compute("k", compute) == b"3" and off.get_or_compute("k", compute) == b"4"


def _cell(event: Event, size: float) -> tuple[int, int]:
    loc = event.location
    assert loc is not None and loc.longitude is not None and loc.latitude is not None
    return math.floor((loc.longitude + 180) / size), math.floor((loc.latitude + 90) / size)


# min_fatalities=0 matches the same events but not from event_totals' counts: the newest are cut, then grouped
# (stats._fits), where otherwise SQLite groups the events themselves.
@pytest.mark.parametrize("extra", [{}, {"min_fatalities": 0}])
@pytest.mark.parametrize("zoom", [0, 3, 6, 12])
def test_map_clusters_group_every_matching_event_into_its_grid_cell(client: TestClient, stored: list[Event],
                                                                    zoom: int, extra: dict[str, int]) -> None:
    body = client.get("/events/clusters", params={"zoom": zoom, "since": "2023-01-01", **extra}).json()
    located = [e for e in stored if e.location and e.location.latitude is not None
               and e.event_date >= date(2023, 1, 1)]
    size = body["cell_degrees"]
    assert size == pytest.approx(360 / 256 / 2**zoom * 60)
    expected: dict[tuple[int, int], list[Event]] = {}
    for event in located:
        expected.setdefault(_cell(event, size), []).append(event)
    assert body["events"] == len(located)
    got = {}
    for cluster in body["clusters"]:
        west, south, east, north = cluster["cell"]
        assert west <= cluster["longitude"] <= east and south <= cluster["latitude"] <= north
        got[(round((west + 180) / size), round((south + 90) / size))] = cluster
    assert set(got) == set(expected)
    for key, events in expected.items():
        cluster = got[key]
        assert cluster["events"] == len(events)
        assert cluster["fatalities"] == sum(e.fatalities.best for e in events)
        assert cluster["types"] == dict(Counter(e.event_type for e in events))
        points = [(e.location.longitude, e.location.latitude) for e in events if e.location]
        assert cluster["longitude"] == pytest.approx(sum(lon or 0 for lon, _ in points) / len(events))
        assert cluster["latitude"] == pytest.approx(sum(lat or 0 for _, lat in points) / len(events))
        if len(events) == 1:
            (event,) = events
            assert cluster["event"] == {"id": event.event_id, "type": event.event_type,
                                        "date": event.event_date.isoformat(), "fatalities": event.fatalities.best,
                                        "place": event.location and event.location.name}
        else:
            assert cluster["event"] is None
    counts = [c["events"] for c in body["clusters"]]
    assert counts == sorted(counts, reverse=True)


def test_map_clusters_take_the_filters_the_view_and_the_newest_limit(client: TestClient, stored: list[Event]) -> None:
    in_sudan = [e for e in stored if e.location and e.location.country_code == "SD"]
    body = client.get("/events/clusters", params={"zoom": 1, "country": "SD", "bbox": "-180,-90,180,90"}).json()
    assert body["events"] == len(in_sudan) > 2
    newest = sorted(in_sudan, key=lambda e: (e.event_date, e.event_id), reverse=True)[:2]
    body = client.get("/events/clusters", params={"zoom": 12, "country": "SD", "limit": 2}).json()
    assert body["events"] == 2
    assert {c["event"]["id"] for c in body["clusters"] if c["event"]} <= {e.event_id for e in newest}
    empty = client.get("/events/clusters", params={"bbox": "-1,-1,1,1"}).json()
    assert empty["events"] == 0 and empty["clusters"] == []


@pytest.mark.parametrize("params", [{"zoom": -1}, {"zoom": 23}, {"zoom": "x"}, {"limit": 0}])
def test_map_clusters_refuse_a_bad_zoom_or_limit(client: TestClient, params: dict[str, object]) -> None:
    response = client.get("/events/clusters", params=params)
    assert response.status_code in (400, 422) and response.json()["error"]["code"] == "E070"


@pytest.mark.slow
def test_a_database_failure_is_a_503_with_its_cause_in_the_body_and_the_log(
        core: ConflictRadar, client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    _record, key = create_key(core.store, "ingest-bot")
    with core.store.engine.begin() as conn:  # the database breaks under the running server
        conn.execute(text("DROP TABLE evidence"))
    article = {"id": "api-broken", "published": "2024-05-02",
               "text": "Soldiers clashed with rebels near Gao on Monday, and five people were killed."}
    with caplog.at_level(logging.ERROR, logger="conflictradar.api"):
        response = client.post("/articles", json=article, headers={"X-API-Key": key})
    assert response.status_code == 503 and response.json()["error"]["code"] == "E030"
    assert "evidence" in response.json()["error"]["message"]
    assert any(r.name == "conflictradar.api" and "POST /articles" in r.getMessage() and r.exc_info
               for r in caplog.records)


@pytest.mark.slow
def test_replacing_an_article_with_another_ones_text_is_a_rejection_not_a_server_error(client: TestClient,
                                                                                      core: ConflictRadar) -> None:
    _record, key = create_key(core.store, "ingest-bot")
    headers = {"X-API-Key": key}
    assert client.post("/articles", json=[{"id": "x", "text": "0"}, {"id": "y", "text": "1"}],
                       headers=headers).status_code == 201
    response = client.post("/articles", params={"replace": "true"}, json={"id": "y", "text": "0"}, headers=headers)
    assert response.status_code == 200, response.text
    assert [r["code"] for r in response.json()["rejected"]] == ["E012"]
    assert client.get("/articles/y").json()["text"] == "1"
