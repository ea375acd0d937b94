"""Trends and alerts: the test's calibration on synthetic series, SQL aggregation, CLI and HTTP routes."""

from __future__ import annotations

import json
from datetime import date, timedelta

import numpy as np
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from conflictradar.analyze.trends import AlertRule, TrendQuery, detect, period_p_value
from conflictradar.app import ConflictRadar
from conflictradar.cli import app as cli
from conflictradar.errors import InputError
from conflictradar.schema import Actor, Article, Count, Event, Evidence, Location

START = date(2024, 1, 1)  # a Monday


def test_a_quiet_poisson_series_rarely_alarms() -> None:
    rng = np.random.default_rng(0)
    runs = sum(len(detect(rng.poisson(3.0, 160))) for _ in range(100))
    assert runs / (100 * (160 - 12) / 52) < 0.15  # alpha 0.001 over 52 weeks: about 0.05 per series-year


def test_overdispersed_baseline_weakens_the_evidence() -> None:
    calm = [4] * 12
    bursty = [0, 9, 1, 8, 0, 10, 2, 7, 0, 9, 1, 1]  # the same mean, far more spread
    p_calm, method_calm = period_p_value(16, calm)
    p_bursty, method_bursty = period_p_value(16, bursty)
    assert p_calm < 0.001 < p_bursty
    assert method_calm.startswith("conditional binomial") and method_bursty.startswith("negative binomial")


def test_a_planted_rise_is_found_in_its_week() -> None:
    counts = [2, 1, 3, 2, 2, 1, 2, 3, 1, 2, 2, 2, 2, 1, 12, 14, 13]
    ((first, _last, p, _method),) = detect(counts, AlertRule(alpha=0.001))
    assert first == 14 and p < 1e-4


def test_small_counts_cannot_alarm_and_resurgence_after_silence_can() -> None:
    assert detect([0] * 12 + [2]) == []  # two events: below min_count, however quiet before
    assert detect([0] * 20 + [4])[0][0] == 20


TARGETS = ("checkpoint", "market", "school", "hospital", "convoy", "mosque", "prison", "farm", "bus")


def _event(i: int, day: date, country: str, town: str, actor: str, deaths: int,
           target: str = "checkpoint") -> tuple[Article, list[Event]]:
    sentence = f"Incident {i}: fighters attacked a {target} in {town}."
    article = Article(f"t{i}", sentence, day)
    coords = {"Gao": (16.27, -0.04), "Djibo": (14.1, -1.63)}[town]
    return article, [Event(
        event_id=f"t{i}-e", article_id=article.id, event_type="Battles", sub_event_type="Armed clash",
        event_date=day, date_precision=1, evidence=Evidence(sentence, 0, len(sentence)),
        actor1=Actor(actor, "Rebel group"), actor2=Actor("Military Forces", "State forces"),
        location=Location(town, "Mali" if country == "ML" else "Burkina Faso", country, *coords, admin1=town,
                          geo_precision=1),
        fatalities=Count.exact(deaths), confidence=0.8, extractor="test")]


def _escalating(core: ConflictRadar) -> None:
    """Mali: one clash every other week for 20 weeks, then 9 in one week; Burkina Faso stays quiet."""
    batch, i = [], 0
    for week in range(20):
        if week % 2 == 0:
            batch.append(_event(i, START + timedelta(weeks=week, days=2), "ML", "Gao", "Rebels", 1))
            i += 1
        batch.append(_event(i, START + timedelta(weeks=week, days=3), "BF", "Djibo", "Rebels", 0))
        i += 1
    for k in range(9):  # a surge: nine different targets, so no two are one event
        batch.append(_event(i, START + timedelta(weeks=20, days=k % 7), "ML", "Gao", f"Group {k}", 2 + 10 * k,
                            TARGETS[k]))
        i += 1
    core.store.save(batch)
    core.cluster()


def test_trends_count_canonical_events_per_week(core: ConflictRadar) -> None:
    _escalating(core)
    points = core.trends(TrendQuery(level="country", country="ML"))
    assert [p.events for p in points[:4]] == [1, 0, 1, 0]
    assert points[-1].start == START + timedelta(weeks=20) and points[-1].events == 9
    assert points[-1].fatalities == sum(2 + 10 * k for k in range(9))
    monthly = core.trends(TrendQuery(level="actor", period="month", key="Rebels"))
    assert sum(p.events for p in monthly) == 30 and monthly[0].start == date(2024, 1, 1)


def test_alerts_explain_themselves(core: ConflictRadar) -> None:
    _escalating(core)
    found = core.alerts(TrendQuery(level="country"))
    assert [(a.key, a.start) for a in found] == [("ML", START + timedelta(weeks=20))]
    alert = found[0].to_dict()
    assert set(alert) >= {"series", "level", "key", "start", "end", "observed", "expected", "p_value", "method",
                          "event_ids", "explanation"}
    assert alert["observed"] == 9 and alert["expected"] == pytest.approx(0.5) and alert["p_value"] < 0.001
    assert len(alert["event_ids"]) == 9 and "9 events" in alert["explanation"]
    assert alert["centroid"] == {"latitude": 16.27, "longitude": -0.04}
    assert core.alerts(TrendQuery(level="country", country="BF")) == []


def test_cli_and_http(db_url: str) -> None:
    from conflictradar.api import create_app

    core = ConflictRadar(db_url=db_url)
    _escalating(core)
    runner = CliRunner()
    listed = runner.invoke(cli, ["alerts", "--db", db_url, "--level", "country", "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output.splitlines()[0])["key"] == "ML"
    bad = runner.invoke(cli, ["trends", "--db", db_url, "--level", "planet"])
    assert bad.exit_code == 1 and "E022" in bad.output
    client = TestClient(create_app(core))
    body = client.get("/alerts", params={"level": "country"}).json()
    assert [a["key"] for a in body["alerts"]] == ["ML"]
    trend = client.get("/trends", params={"level": "country", "country": "BF"}).json()
    assert {p["events"] for p in trend["points"]} == {1}
    assert client.get("/trends", params={"period": "decade"}).status_code == 400
    some = body["alerts"][0]["event_ids"][0]
    assert client.get(f"/clusters/{some}").json()["cluster_id"] == some
    assert client.get("/clusters/none").status_code == 404
    core.close()


def test_query_validation() -> None:
    with pytest.raises(InputError):
        TrendQuery(level="galaxy")


@pytest.mark.parametrize("period", ["week", "month"])
def test_alerts_since_the_first_representable_date_do_not_overflow(core: ConflictRadar, period: str) -> None:
    # The baseline window reaches back before `since`; near date.min it must clamp, not overflow.
    core.ingest_articles([])
    assert core.alerts(TrendQuery(since=date(1, 1, 1), period=period)) == []
