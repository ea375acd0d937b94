"""The read and write routes: events, their GeoJSON, statistics and articles."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi import Path as PathParam
from sqlalchemy import select

from ..errors import E, InputError
from ..ingest._readers import check_article
from ..schema import Article, Event
from ..store.stats import CLUSTER_PIXELS, STAT_GROUPS, map_clusters, map_geojson, report
from ..store.tables import events as events_table
from .cache import TtlCache
from .deps import Core, Filters, Sort, clean_text, decode_cursor, encode_cursor, require_write_key
from .models import ArticleIn, ArticleOut, ClustersOut, ErrorOut, EventDetail, EventPage, IngestOut, StatsOut

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorOut, "description": "A parameter is invalid (catalogue code E070, E022 or E074)."},
    422: {"model": ErrorOut, "description": "The request does not match the schema (E070)."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut, "description": "No such id (E071)."}}
AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "No API key (E072)."},
    403: {"model": ErrorOut, "description": "Unknown or revoked API key (E073)."},
}

#: Open reads; ``create_app`` adds the key check (and its OpenAPI security entry) when reads need a key.
reads = APIRouter(responses=ERRORS)
writes = APIRouter(dependencies=[Depends(require_write_key)], responses=ERRORS | AUTH_ERRORS)

MAX_PAGE = 1000
MAX_MAP_POINTS = 200_000
MAX_ZOOM = 22
MAX_BATCH = 1000
EventId = Annotated[str, PathParam(max_length=64, description="The event's stable id.")]
ArticleId = Annotated[str, PathParam(max_length=512, description="The article's id.")]


def _encode(body: Any) -> bytes:
    """The canonical JSON encoding of every answer (compact, UTF-8)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _json(body: Any, media_type: str = "application/json", status_code: int = 200) -> Response:
    """Serialise once with the canonical encoder (skips re-validating thousands of records)."""
    return Response(_encode(body), status_code=status_code, media_type=media_type)


def _cached_json(request: Request, key: Any, compute: Callable[[], Any]) -> Response:
    """An aggregate's answer, reused from the app's TTL cache (api.cache) while fresh."""
    cache: TtlCache = request.app.state.stats_cache
    return Response(cache.get_or_compute(key, lambda: _encode(compute())), media_type="application/json")


@reads.get("/events", response_model=EventPage, tags=["events"], summary="List events, filtered and paginated")
def list_events(core: Core, query: Filters,
                sort: Annotated[Sort, Query(description="Sort key; a leading '-' means descending.")] = "-date",
                limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
                cursor: Annotated[str | None, Query(max_length=512, description="next_cursor of the page before.")]
                = None) -> Response:
    page_query = replace(query, sort=sort.lstrip("-"), descending=sort.startswith("-"),
                         after=decode_cursor(cursor, sort), limit=limit + 1)
    found = core.events(page_query)
    page = found[:limit]
    next_cursor = encode_cursor(sort, page[-1]) if len(found) > limit else None
    return _json({"events": [e.to_dict() for e in page], "next_cursor": next_cursor, "limit": limit})


def _feature(event: Event) -> dict[str, Any]:
    loc = event.location
    assert loc is not None and loc.latitude is not None and loc.longitude is not None
    return {"type": "Feature", "id": event.event_id,
            "geometry": {"type": "Point", "coordinates": [loc.longitude, loc.latitude]},
            "properties": event.to_dict()}


@reads.get("/events.geojson", tags=["events"], summary="Located events as a GeoJSON FeatureCollection",
           responses={200: {"content": {"application/geo+json": {}}}}, response_class=Response)
def events_geojson(core: Core, query: Filters,
                   limit: Annotated[int, Query(ge=1, le=MAX_MAP_POINTS)] = 10_000,
                   compact: Annotated[bool, Query(description="Only what a map needs per point (newest first).")]
                   = False) -> Response:
    if compact:
        return Response(map_geojson(core.store, query, limit), media_type="application/geo+json")
    located = replace(query, limit=limit, descending=True)
    features = [_feature(e) for e in core.store.iter_events(located)
                if e.location and e.location.latitude is not None and e.location.longitude is not None]
    return _json({"type": "FeatureCollection", "features": features}, media_type="application/geo+json")


@reads.get("/events/clusters", response_model=ClustersOut, tags=["events"],
           summary="Located events grouped into map clusters for a zoom level")
def events_clusters(request: Request, core: Core, query: Filters,
                    zoom: Annotated[int, Query(ge=0, le=MAX_ZOOM, description=(
                        f"Web-Mercator zoom level: each cluster is a grid cell about {CLUSTER_PIXELS} pixels wide "
                        "there. Pass the view as bbox."))] = 2,
                    limit: Annotated[int, Query(ge=1, le=MAX_MAP_POINTS, description="Cluster the newest N events.")]
                    = 100_000) -> Response:
    # Every page load starts with the same view (the world, no filter), the costliest to group.
    return _cached_json(request, ("clusters", query, zoom, limit), lambda: map_clusters(core.store, query, zoom, limit))


@reads.get("/events/{event_id}", response_model=EventDetail, tags=["events"],
           summary="One event with all its evidence", responses=NOT_FOUND)
def get_event(core: Core, event_id: EventId,
              raw: Annotated[bool, Query(description="true: only a per-article record with this id.")] = False,
              ) -> Response:
    event_id = clean_text("event_id", event_id) or ""
    event = core.store.event(event_id, raw=raw)
    if event is None:
        raise InputError(E.E071, what="event", id=event_id)
    article = core.store.article(event.article_id)
    meta = None if article is None else {
        "id": article.id, "title": article.title, "url": article.url, "source": article.source,
        "published": article.published.isoformat() if article.published else None}
    return _json(event.to_dict() | {"article": meta})


@reads.get("/stats", response_model=StatsOut, tags=["stats"],
           summary="Counts and fatalities grouped by time, place, type or actor")
def get_stats(request: Request, core: Core, query: Filters,
              by: Annotated[str, Query(description=f"One of: {', '.join(STAT_GROUPS)}.",
                                       json_schema_extra={"enum": list(STAT_GROUPS)})] = "month",
              top: Annotated[int, Query(ge=1, le=1000, description="Largest groups kept (non-time groupings).")]
              = 50) -> Response:
    if by not in STAT_GROUPS:
        raise InputError(E.E022, what="grouping", got=by, expected=", ".join(STAT_GROUPS))

    return _cached_json(request, (query, by, top), lambda: report(core.store, query, by, top))


@reads.get("/articles/{article_id}", response_model=ArticleOut, tags=["articles"],
           summary="One stored article and the ids of its events", responses=NOT_FOUND)
def get_article(core: Core, article_id: ArticleId) -> Response:
    article_id = clean_text("article_id", article_id) or ""
    article = core.store.article(article_id)
    if article is None:
        raise InputError(E.E071, what="article", id=article_id)
    with core.store.engine.connect() as conn:
        ids = conn.scalars(select(events_table.c.event_id).where(events_table.c.article_id == article_id)
                           .order_by(events_table.c.event_id)).all()
    return _json(article.to_dict() | {"event_ids": list(ids)})


def _rejection(index: int, error: InputError) -> dict[str, Any]:
    return {"index": index, "code": error.code.name, "message": str(error)}


@writes.post("/articles", response_model=IngestOut, tags=["articles"], status_code=201,
             summary="Ingest one article or a batch (needs an API key)",
             responses={200: {"model": IngestOut, "description": "Nothing new was stored."}})
def post_articles(request: Request, core: Core,
                  body: Annotated[ArticleIn | list[ArticleIn], Body(description="An article or a list of them.")],
                  replace_text: Annotated[bool, Query(alias="replace",
                                                      description="Re-extract ids stored with other text.")]
                  = False) -> Response:
    items = body if isinstance(body, list) else [body]
    if not 1 <= len(items) <= MAX_BATCH:
        raise InputError(E.E070, field="body", reason=f"must hold 1 to {MAX_BATCH} articles")
    good, rejected = _checked_articles(items, core.settings.max_article_bytes)
    report = core.ingest_articles(good, replace=replace_text)
    if report.articles_added or report.articles_replaced:
        request.app.state.stats_cache.clear()
    rejected += [_rejection(-1, error) for error in report.rejected]
    out = {"articles_read": len(items), "articles_added": report.articles_added,
           "articles_skipped": report.articles_skipped, "articles_replaced": report.articles_replaced,
           "events_added": report.events_added, "article_ids": [a.id for a in good], "rejected": rejected}
    return _json(out, status_code=201 if report.articles_added or report.articles_replaced else 200)


def _checked_articles(items: list[ArticleIn], max_bytes: int) -> tuple[list[Article], list[dict[str, Any]]]:
    """The articles that pass ingest's checks, and one rejection (with its index) for each that does not."""
    good: list[Article] = []
    rejected: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        problem = _unstorable_field(item)
        if problem:
            rejected.append(_rejection(index, InputError(E.E006, "<request>", index, field=problem, got="this text",
                                                         expected="non-blank text without NUL or lone surrogates")))
            continue
        article = Article(id=item.id.strip(), text=item.text, published=item.published, title=item.title,
                          url=item.url, source=item.source)
        result = check_article(article, Path("<request>"), index, max_bytes)
        if isinstance(result, InputError):
            rejected.append(_rejection(index, result))
        else:
            good.append(result)
    return good, rejected


def _unstorable_field(item: ArticleIn) -> str | None:
    """The first field no database can store as given (blank id, NUL, lone surrogates), or None."""
    if not item.id.strip():
        return "id"
    for name in ("id", "text", "title", "url", "source"):
        value: str | None = getattr(item, name)
        if value is None:
            continue
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return name
        if "\x00" in value:
            return name
    return None
