"""Pydantic models of the HTTP API: what requests may contain and (for the OpenAPI document) what comes back.

Event bodies are the record contract of ``conflictradar.schema`` (``Event.to_dict``), described here
so that /docs shows every field.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ArticleIn(BaseModel):
    """One article to ingest (the input contract of the README)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=512, description="Stable id chosen by the sender.")
    text: str = Field(min_length=1, description="The article body, plain text.")
    published: date | None = Field(None, description="Publication date, YYYY-MM-DD.")
    title: str | None = Field(None, max_length=2000)
    url: str | None = Field(None, max_length=2000)
    source: str | None = Field(None, max_length=256)


class Rejection(BaseModel):
    index: int = Field(description="Position of the article in the request (0 for a single article).")
    code: str
    message: str


class IngestOut(BaseModel):
    articles_read: int
    articles_added: int
    articles_skipped: int
    articles_replaced: int
    events_added: int
    article_ids: list[str]
    rejected: list[Rejection]


class SpanOut(BaseModel):
    label: str
    start: int = Field(description="Offset into the ARTICLE text.")
    end: int
    text: str


class EvidenceOut(BaseModel):
    sentence: str
    start: int = Field(description="Offset of the sentence in the article text.")
    end: int
    spans: list[SpanOut]


class ActorOut(BaseModel):
    name: str
    type: str | None


class LocationOut(BaseModel):
    name: str | None
    admin1: str | None
    admin2: str | None
    country: str | None
    country_code: str | None
    latitude: float | None
    longitude: float | None
    geonames_id: int | None
    geo_precision: int | None


class CountOut(BaseModel):
    low: int
    best: int
    high: int


class EventOut(BaseModel):
    """An event record (README, "The record contract")."""

    event_id: str
    article_id: str
    event_type: str
    sub_event_type: str
    event_date: date
    date_precision: int
    actor1: ActorOut | None
    actor2: ActorOut | None
    location: LocationOut | None
    fatalities: CountOut
    injured: int | None
    abducted: int | None
    arrested: int | None
    civilian_targeting: bool
    historical: bool
    confidence: float
    evidence: EvidenceOut
    extractor: str
    sources: list[dict[str, Any]] | None = Field(None, description="Canonical events only: every report merged.")


class ArticleMeta(BaseModel):
    id: str
    title: str | None
    url: str | None
    source: str | None
    published: date | None


class EventDetail(EventOut):
    article: ArticleMeta | None = Field(description="The article the evidence comes from.")


class EventPage(BaseModel):
    events: list[EventOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= to get the next page; null on the last page.")
    limit: int


class ArticleOut(BaseModel):
    id: str
    text: str
    published: date | None
    title: str | None
    url: str | None
    source: str | None
    event_ids: list[str]


class StatGroup(BaseModel):
    key: str
    events: int
    fatalities: int
    country: str | None = None
    country_code: str | None = None


class Totals(BaseModel):
    events: int
    fatalities: int
    first: date | None
    last: date | None


class StatsOut(BaseModel):
    by: str
    totals: Totals
    groups: list[StatGroup]


class ClusterEvent(BaseModel):
    id: str
    type: str | None
    date: str | None = Field(description="YYYY-MM-DD.")
    fatalities: int
    place: str | None


class Cluster(BaseModel):
    longitude: float = Field(description="Mean longitude of the cluster's events.")
    latitude: float = Field(description="Mean latitude of the cluster's events.")
    events: int
    fatalities: int
    types: dict[str, int] = Field(description="Events per event type.")
    cell: list[float] = Field(description="The grid cell's bounds: west, south, east, north.")
    event: ClusterEvent | None = Field(description="The event, when the cluster holds one.")


class ClustersOut(BaseModel):
    zoom: int
    cell_degrees: float = Field(description="Width and height of a cell in degrees.")
    events: int = Field(description="Events in all clusters (at most the request's limit: the newest).")
    clusters: list[Cluster] = Field(description="Largest first.")


class ErrorBody(BaseModel):
    code: str = Field(description="Catalogue code (conflictradar.errors), e.g. E070.")
    message: str


class ErrorOut(BaseModel):
    error: ErrorBody
