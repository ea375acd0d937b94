"""What the routes share: the core object, API-key checks, the event filters and the pagination cursor."""

from __future__ import annotations

import base64
import binascii
import json
import math
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request, Security
from fastapi.security import APIKeyHeader

from ..app import ConflictRadar
from ..errors import E, InputError
from ..schema import EVENT_TYPES, SUB_EVENT_TYPES, Event
from ..store import EventQuery
from ..store.keys import verify_key

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="An API key from `conflictradar keys create NAME`.")

Sort = Literal["date", "-date", "fatalities", "-fatalities"]
#: Largest count or bound a filter accepts (keeps every number inside a 32-bit database integer).
MAX_INT = 2_000_000_000


def get_core(request: Request) -> ConflictRadar:
    core: ConflictRadar = request.app.state.core
    return core


Core = Annotated[ConflictRadar, Depends(get_core)]


def _check_key(core: ConflictRadar, key: str | None) -> None:
    if not key:
        raise InputError(E.E072)
    if not verify_key(core.store, key):
        raise InputError(E.E073)


def require_write_key(core: Core, key: Annotated[str | None, Security(api_key_header)] = None) -> None:
    """Writes always need a valid, unrevoked key."""
    _check_key(core, key)


def require_read_key(core: Core, key: Annotated[str | None, Security(api_key_header)] = None) -> None:
    """Added to the read routes only when the app is built with ``require_key_for_reads``."""
    _check_key(core, key)


def invalid(field: str, reason: str) -> InputError:
    return InputError(E.E070, field=field, reason=reason)


def clean_text(field: str, value: str | None) -> str | None:
    """Strip a free-text parameter; refuse characters no database stores (NUL, lone surrogates)."""
    if value is None:
        return None
    if "\x00" in value:
        raise invalid(field, "must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise invalid(field, "must be valid Unicode text") from exc
    return value.strip() or None


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None or not value.strip():
        return None
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError as exc:
        raise invalid("bbox", "must be four numbers: west,south,east,north") from exc
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise invalid("bbox", "must be finite numbers")
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise invalid("bbox", "must have -180 <= west <= east <= 180 and -90 <= south <= north <= 90")
    return west, south, east, north


def _known(field: str, value: str | None, allowed: dict[str, Any]) -> str | None:
    if value is not None and value not in allowed:
        raise InputError(E.E022, what=field, got=value, expected=", ".join(allowed))
    return value


_NUMBER = r"\s*[-+]?(\d+(\.\d*)?|\.\d+)\s*"
_BBOX_PATTERN = rf"^{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}$"


def event_filters(
    country: Annotated[str | None, Query(max_length=128, description="ISO 3166-1 alpha-2 code or country name.")]
    = None,
    admin1: Annotated[str | None, Query(max_length=256, description="First-level administrative area.")] = None,
    bbox: Annotated[str | None, Query(max_length=128, description="west,south,east,north in degrees.",
                                      pattern=_BBOX_PATTERN, examples=["30,10,40,20"])] = None,
    since: Annotated[date | None, Query(description="First event date, inclusive (YYYY-MM-DD).")] = None,
    until: Annotated[date | None, Query(description="Last event date, inclusive (YYYY-MM-DD).")] = None,
    event_type: Annotated[str | None, Query(alias="type", max_length=64, description="ACLED event type.",
                                            json_schema_extra={"enum": list(EVENT_TYPES)})] = None,
    sub_type: Annotated[str | None, Query(max_length=64, description="ACLED sub-event type.",
                                          json_schema_extra={"enum": list(SUB_EVENT_TYPES)})] = None,
    actor: Annotated[str | None, Query(max_length=256, description="Actor name (substring, either side).")] = None,
    min_fatalities: Annotated[int | None, Query(ge=0, le=MAX_INT, description="At least this many deaths.")] = None,
    q: Annotated[str | None, Query(max_length=256, description="Text search in the evidence sentence.")] = None,
    raw: Annotated[bool, Query(description="true: per-article records; false: canonical (merged) events.")] = False,
    historical: Annotated[bool, Query(description="Include background events dated well before publication.")] = True,
) -> EventQuery:
    if since and until and since > until:
        raise invalid("since/until", "since must not be after until")
    return EventQuery(
        country=clean_text("country", country), admin1=clean_text("admin1", admin1), bbox=parse_bbox(bbox),
        since=since, until=until, event_type=_known("event type", clean_text("type", event_type), EVENT_TYPES),
        sub_event_type=_known("sub-event type", clean_text("sub_type", sub_type), SUB_EVENT_TYPES),
        actor=clean_text("actor", actor), min_fatalities=min_fatalities, text=clean_text("q", q),
        include_historical=historical, raw=raw,
    )


Filters = Annotated[EventQuery, Depends(event_filters)]


# ---- keyset cursor -------------------------------------------------------------------------------

def encode_cursor(sort: Sort, last: Event) -> str:
    value: str | int = last.fatalities.best if sort.endswith("fatalities") else last.event_date.isoformat()
    raw = json.dumps([sort, value, last.event_id], separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None, sort: Sort) -> tuple[date | int, str] | None:
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        cursor_sort, value, event_id = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        if cursor_sort != sort or not isinstance(event_id, str) or len(event_id) > 64:
            raise ValueError("cursor of another sort order")
        if sort.endswith("fatalities"):
            if not isinstance(value, int) or isinstance(value, bool) or not -MAX_INT <= value <= MAX_INT:
                raise ValueError("not a count")
            return value, clean_text("cursor", event_id) or ""
        return date.fromisoformat(value), clean_text("cursor", event_id) or ""
    except (ValueError, TypeError, UnicodeError, binascii.Error, InputError) as exc:
        raise InputError(E.E074) from exc
