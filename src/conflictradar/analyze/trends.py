"""Trends and alerts: weekly/monthly counts and deaths per series, and a test for rises above baseline.

Counts are aggregated in SQL (GROUP BY key and day) over canonical events (per-article records when
clustering has not run or ``raw`` is asked for) and bucketed into weeks (Monday first) or months here.

The alert test, for each period t of a series with counts c: the baseline is the previous ``baseline``
periods (rolling, so it follows slow trends and seasons longer than the window). Two one-sided tests:

* conditional binomial: under "same rate", c[t] given c[t] + sum(baseline) is Binomial(n, 1/(B+1)).
  This is exact at any count, zero included, and accounts for the baseline rate being estimated;
* negative binomial: when the baseline varies more than Poisson (conflict counts usually do), c[t]
  against an NB with the baseline's mean and method-of-moments dispersion.

The p-value is the larger of the two (each is valid alone; the larger guards against both failure
modes), and a period is flagged when p < alpha and c[t] >= ``min_count``. Runs of flagged periods form
one alert. False alarms and detection delay are measured by ``bench/alerts.py``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
from scipy import stats
from sqlalchemy import Engine, Table, and_, literal, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from ..errors import E, InputError
from ..store.tables import clusters, events

__all__ = ["LEVELS", "PERIODS", "Alert", "AlertRule", "TrendPoint", "TrendQuery", "alerts", "detect",
           "series_counts", "trends"]

LEVELS: Final = ("country", "admin1", "actor", "type")
PERIODS: Final = ("week", "month")


@dataclass(frozen=True)
class TrendQuery:
    """Which series: a level (None: every level, for alerts), weekly or monthly, optionally filtered."""

    level: str | None = None
    period: str = "week"
    country: str | None = None  # ISO2 code
    key: str | None = None  # one series only, e.g. "ML", "ML/Mopti", "Al-Shabaab", "Battles"
    since: date | None = None
    until: date | None = None
    raw: bool = False

    def __post_init__(self) -> None:
        if self.level is not None and self.level not in LEVELS:
            raise InputError(E.E022, what="level", got=self.level, expected=", ".join(LEVELS))
        if self.period not in PERIODS:
            raise InputError(E.E022, what="period", got=self.period, expected=", ".join(PERIODS))


@dataclass(frozen=True)
class AlertRule:
    """The test's settings: baseline length in periods, significance level, smallest count that can alert."""

    baseline: int = 12
    history: int = 52  # periods used to estimate overdispersion
    alpha: float = 0.001
    min_count: int = 3


@dataclass(frozen=True)
class TrendPoint:
    level: str
    key: str
    period: str
    start: date
    end: date
    events: int
    fatalities: int

    def to_dict(self) -> dict[str, Any]:
        return {"level": self.level, "key": self.key, "period": self.period, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "events": self.events, "fatalities": self.fatalities}


@dataclass(frozen=True)
class Alert:
    """A series that rose significantly above its own baseline, with what it takes to check it."""

    series: str
    level: str
    key: str
    period: str
    start: date
    end: date
    observed: int
    expected: float
    p_value: float
    method: str
    explanation: str
    fatalities: int = 0
    baseline_counts: tuple[int, ...] = ()
    event_ids: tuple[str, ...] = field(default=())
    #: Mean point of the located events behind the alert (for the map); None when none is located.
    centroid: tuple[float, float] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "series": self.series, "level": self.level, "key": self.key, "start": self.start.isoformat(),
            "end": self.end.isoformat(), "observed": self.observed, "expected": round(self.expected, 3),
            "p_value": float(f"{self.p_value:.3g}"), "method": self.method, "event_ids": list(self.event_ids),
            "explanation": self.explanation, "period": self.period, "fatalities": self.fatalities,
            "baseline_counts": list(self.baseline_counts),
            "centroid": None if self.centroid is None else {"latitude": round(self.centroid[0], 5),
                                                            "longitude": round(self.centroid[1], 5)},
        }


# ---- periods ----------------------------------------------------------------------------------------


def period_start(day: date, period: str) -> date:
    return day - timedelta(days=day.weekday()) if period == "week" else day.replace(day=1)


def next_period(start: date, period: str) -> date:
    if period == "week":
        return start + timedelta(days=7)
    return date(start.year + start.month // 12, start.month % 12 + 1, 1)


def _periods(first: date, last: date, period: str) -> list[date]:
    out, current = [], period_start(first, period)
    while current <= last:
        out.append(current)
        current = next_period(current, period)
    return out


def _shift_back(day: date, periods: int, period: str) -> date:
    """``periods`` weeks or months before ``day``, clamped at the first representable date."""
    if period == "week":
        start = period_start(day, period)
        return start - timedelta(days=7 * periods) if (start - date.min).days >= 7 * periods else date.min
    month = day.year * 12 + day.month - 1 - periods
    return date(month // 12, month % 12 + 1, 1) if month >= 12 else date.min


# ---- SQL aggregation --------------------------------------------------------------------------------


def _table(engine: Engine, raw: bool) -> Table:
    if raw:
        return events
    with engine.connect() as conn:
        return clusters if conn.execute(select(clusters.c.event_id).limit(1)).first() else events


def _key_selects(table: Table, level: str) -> list[tuple[ColumnElement[Any], ColumnElement[bool]]]:
    """(key expression, condition) per SQL branch of a level; actors count under actor1 and actor2."""
    c = table.c
    if level == "country":
        return [(c.country_code, c.country_code.is_not(None))]
    if level == "admin1":
        return [(c.country_code + literal("/") + c.admin1, and_(c.admin1.is_not(None), c.country_code.is_not(None)))]
    if level == "actor":
        return [(c.actor1_name, c.actor1_name.is_not(None)),
                (c.actor2_name, and_(c.actor2_name.is_not(None),
                                     or_(c.actor1_name.is_(None), c.actor2_name != c.actor1_name)))]
    return [(c.event_type, literal(True))]


def _common_filters(table: Table, query: TrendQuery, since: date | None) -> list[ColumnElement[bool]]:
    c = table.c
    found: list[ColumnElement[bool]] = [c.historical.is_(False)]
    if query.country:
        found.append(c.country_code == query.country.upper())
    if since:
        found.append(c.event_date >= since)
    if query.until:
        found.append(c.event_date <= query.until)
    return found


def _daily(engine: Engine, table: Table, level: str, query: TrendQuery,
           since: date | None) -> list[tuple[str, date, int, int]]:
    from sqlalchemy import func

    branches = []
    for key, condition in _key_selects(table, level):
        where = [condition, *_common_filters(table, query, since)]
        if query.key:
            where.append(key == query.key)
        branches.append(select(key.label("key"), table.c.event_date.label("day"),
                               table.c.fatalities_best.label("deaths")).where(*where))
    rows = union_all(*branches).subquery() if len(branches) > 1 else branches[0].subquery()
    stmt = (select(rows.c.key, rows.c.day, func.count().label("n"), func.sum(rows.c.deaths).label("deaths"))
            .group_by(rows.c.key, rows.c.day))
    with engine.connect() as conn:
        return [(r.key, r.day, int(r.n), int(r.deaths or 0)) for r in conn.execute(stmt)]


@dataclass
class Series:
    level: str
    key: str
    starts: list[date]
    counts: np.ndarray[Any, np.dtype[np.int64]]
    deaths: np.ndarray[Any, np.dtype[np.int64]]


def series_counts(engine: Engine, query: TrendQuery, history: int = 0) -> Iterator[Series]:
    """Dense series (every period from the first to the last, zeros included) per level and key."""
    table = _table(engine, query.raw)
    since = _shift_back(query.since, history, query.period) if query.since else None
    for level in [query.level] if query.level else LEVELS:
        daily = _daily(engine, table, level, query, since)
        if not daily:
            continue
        first = since or min(d for _k, d, _n, _f in daily)
        last = query.until or max(d for _k, d, _n, _f in daily)
        starts = _periods(first, last, query.period)
        position = {s: i for i, s in enumerate(starts)}
        counts: dict[str, np.ndarray[Any, np.dtype[np.int64]]] = {}
        deaths: dict[str, np.ndarray[Any, np.dtype[np.int64]]] = {}
        for key, day, n, dead in daily:
            if key not in counts:
                counts[key], deaths[key] = np.zeros(len(starts), np.int64), np.zeros(len(starts), np.int64)
            i = position[period_start(day, query.period)]
            counts[key][i] += n
            deaths[key][i] += dead
        for key in sorted(counts):
            yield Series(level, key, starts, counts[key], deaths[key])


def trends(engine: Engine, query: TrendQuery) -> list[TrendPoint]:
    """Counts and deaths per period for each series of the level asked (default: country)."""
    level_query = query if query.level else replace(query, level="country")
    points = []
    for s in series_counts(engine, level_query):
        for i, start in enumerate(s.starts):
            end = next_period(start, query.period) - timedelta(days=1)
            points.append(TrendPoint(s.level, s.key, query.period, start, end, int(s.counts[i]), int(s.deaths[i])))
    return points


# ---- the test ---------------------------------------------------------------------------------------


def period_p_value(observed: int, baseline: Sequence[int] | np.ndarray[Any, Any],
                   history: Sequence[int] | np.ndarray[Any, Any] | None = None) -> tuple[float, str]:
    """One-sided p-value of ``observed`` against its baseline counts, and which test gave it.

    ``history`` (the longer past, baseline included) estimates the dispersion: 12 weeks alone
    underestimate it badly, which would turn ordinary bursts into alarms.
    """
    base = np.asarray(baseline, dtype=float)
    b, total = len(base), float(base.sum())
    p_binomial = float(stats.binom.sf(observed - 1, observed + int(total), 1.0 / (b + 1)))
    past = np.asarray(history if history is not None else baseline, dtype=float)
    mean = total / b
    spread = float(past.var(ddof=1)) / max(float(past.mean()), 1e-9) if len(past) > 1 else 1.0
    # Predictive variance: the baseline's dispersion, plus the error of a mean estimated from b periods.
    var = max(spread, 1.0) * mean * (1.0 + 1.0 / b)
    if mean > 0 and var > mean:
        size = mean * mean / (var - mean)
        p_nb = float(stats.nbinom.sf(observed - 1, size, size / (size + mean)))
        if p_nb > p_binomial:
            return p_nb, "negative binomial (overdispersed baseline)"
    return p_binomial, "conditional binomial (Poisson rates)"


Run = tuple[int, int, float, str]


def detect(counts: Sequence[int] | np.ndarray[Any, Any], rule: AlertRule | None = None) -> list[Run]:
    """Flagged runs in one series: (first index, last index, smallest p, method of that p)."""
    rule = rule or AlertRule()
    c = np.asarray(counts, dtype=np.int64)
    runs: list[Run] = []
    for t in range(rule.baseline, len(c)):
        if c[t] < rule.min_count:
            continue
        p, method = period_p_value(int(c[t]), c[t - rule.baseline:t], c[max(0, t - rule.history):t])
        if p >= rule.alpha:
            continue
        if runs and runs[-1][1] == t - 1:
            first, _last, best, how = runs[-1]
            runs[-1] = (first, t, min(best, p), how if best <= p else method)
        else:
            runs.append((t, t, p, method))
    return runs


def alerts(engine: Engine, query: TrendQuery, alpha: float | None = None, rule: AlertRule | None = None) -> list[Alert]:
    """Every flagged run of every series asked for, most significant first, each with its events."""
    rule = rule or AlertRule()
    if alpha is not None:
        rule = replace(rule, alpha=alpha)
    table = _table(engine, query.raw)
    found = []
    for s in series_counts(engine, query, history=rule.baseline):
        for first, last, p, method in detect(s.counts, rule):
            alert = _alert(s, first, last, p, method, rule, query.period)
            if query.since is None or alert.end >= query.since:
                found.append(alert)
    found.sort(key=lambda a: (a.p_value, a.level, a.key, a.start))
    return [_with_events(engine, table, a) for a in found]


def _alert(s: Series, first: int, last: int, p: float, method: str, rule: AlertRule, period: str) -> Alert:
    observed = int(s.counts[first:last + 1].sum())
    expected = float(sum(s.counts[t - rule.baseline:t].mean() for t in range(first, last + 1)))
    base = tuple(int(x) for x in s.counts[first - rule.baseline:first])
    start, end = s.starts[first], next_period(s.starts[last], period) - timedelta(days=1)
    deaths = int(s.deaths[first:last + 1].sum())
    ratio = "from nothing" if expected == 0 else f"{observed / expected:.1f} times the baseline"
    span = f"the {period} of {start.isoformat()}" if first == last else f"{start.isoformat()} to {end.isoformat()}"
    explanation = (f"{observed} events ({deaths} deaths) in {s.level} {s.key} in {span}, against {expected:.1f} "
                   f"expected from the previous {rule.baseline} {period}s ({sum(base)} events): {ratio}; "
                   f"p = {p:.2g} by {method}, below alpha {rule.alpha}.")
    return Alert(series=f"{s.level}={s.key} {period}ly events", level=s.level, key=s.key, period=period,
                 start=start, end=end, observed=observed, expected=expected, p_value=p, method=method,
                 explanation=explanation, fatalities=deaths, baseline_counts=base)


def _with_events(engine: Engine, table: Table, alert: Alert) -> Alert:
    c = table.c
    where = [c.historical.is_(False), c.event_date >= alert.start, c.event_date <= alert.end]
    if alert.level == "country":
        where.append(c.country_code == alert.key)
    elif alert.level == "admin1":
        code, _, admin1 = alert.key.partition("/")
        where.extend([c.country_code == code, c.admin1 == admin1])
    elif alert.level == "actor":
        where.append(or_(c.actor1_name == alert.key, c.actor2_name == alert.key))
    else:
        where.append(c.event_type == alert.key)
    with engine.connect() as conn:
        rows = conn.execute(select(c.event_id, c.latitude, c.longitude).where(*where).order_by(c.event_id)).all()
    points = [(r.latitude, r.longitude) for r in rows if r.latitude is not None and r.longitude is not None]
    centroid = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)) if points else None
    return replace(alert, event_ids=tuple(r.event_id for r in rows), centroid=centroid)
