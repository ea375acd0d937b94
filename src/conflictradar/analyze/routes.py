"""HTTP routes of the analyze stage (``GET /trends``, ``GET /alerts``, ``GET /clusters/{id}``), mounted by the API app.

The core object comes from ``request.app.state.core``, where ``api.create_app`` puts it (the same place
``api.deps.get_core`` reads; read here directly so this module does not import the api package, which
imports this one).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from ..errors import E, InputError
from .trends import LEVELS, PERIODS, AlertRule, TrendQuery

if TYPE_CHECKING:
    from ..app import ConflictRadar

router = APIRouter(tags=["analyze"])


def get_core(request: Request) -> ConflictRadar:
    core: ConflictRadar = request.app.state.core
    return core


Core = Annotated["ConflictRadar", Depends(get_core)]
Level = Annotated[str | None, Query(description=f"One of {', '.join(LEVELS)}.")]
Period = Annotated[str, Query(description=f"One of {', '.join(PERIODS)}.")]
Country = Annotated[str | None, Query(max_length=2, description="ISO2 country code.")]
Key = Annotated[str | None, Query(max_length=256, description="One series: 'ML', 'ML/Mopti', an actor, a type.")]
Since = Annotated[date | None, Query(description="YYYY-MM-DD, inclusive.")]
Until = Annotated[date | None, Query(description="YYYY-MM-DD, inclusive.")]
Raw = Annotated[bool, Query(description="Count per-article records instead of canonical events.")]


@router.get("/trends", summary="Weekly or monthly events and deaths per country, admin1, actor or type")
def get_trends(core: Core, level: Level = "country", period: Period = "week", country: Country = None,
               key: Key = None, since: Since = None, until: Until = None, raw: Raw = False) -> JSONResponse:
    query = TrendQuery(level=level or "country", period=period, country=country, key=key, since=since,
                       until=until, raw=raw)
    points = core.trends(query)
    return JSONResponse({"level": query.level, "period": period, "points": [p.to_dict() for p in points]})


@router.get("/alerts", summary="Series that rose significantly above their own baseline, each explained")
def get_alerts(core: Core, level: Level = None, period: Period = "week", country: Country = None,
               key: Key = None, since: Since = None, until: Until = None, raw: Raw = False,
               alpha: Annotated[float, Query(gt=0, lt=1, description="Significance level per period.")]
               = AlertRule.alpha) -> JSONResponse:
    query = TrendQuery(level=level, period=period, country=country, key=key, since=since, until=until, raw=raw)
    found = core.alerts(query, alpha=alpha)
    rule = AlertRule(alpha=alpha)
    return JSONResponse({"alerts": [a.to_dict() for a in found], "alpha": alpha, "baseline_periods": rule.baseline,
                         "min_count": rule.min_count})


@router.get("/clusters/{event_id}", summary="Why a canonical event holds its reports (merge audit)")
def get_cluster(core: Core, event_id: str) -> dict[str, Any]:
    found = core.explain_cluster(event_id)
    if found is None:
        raise InputError(E.E071, what="clustered event", id=event_id)
    return found
