"""What the event and toponym scorers share: reading gold files, distances, name normalisation."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ConflictRadarError, E, InputError
from ..ingest import numbered_lines

#: Mean Earth radius used by the scoring conventions (km).
EARTH_RADIUS_KM = 6371.0088
#: The error assigned to a matched toponym that has no coordinates (half the Earth's circumference).
MAX_ERROR_KM = 20039.0

_ADMIN_WORDS = re.compile(
    r"\b(province|governorate|region|state|district|oblast|prefecture|department|county|division|muhafazat)\b"
)
_ARTICLE = re.compile(r"^(al|el|ar|as|ash|ad|an|at|az)\s+")


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def normalize_name(name: str | None) -> str:
    """Case-, diacritic- and punctuation-insensitive; drops 'province'-like words and a leading Arabic article."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = " ".join("".join(c if c.isalnum() else " " for c in text).split())
    text = _ADMIN_WORDS.sub(" ", text)
    text = " ".join(text.split())
    return _ARTICLE.sub("", text)


def read_gold(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a gold JSON Lines file; a malformed line raises an InputError naming it."""
    for number, line in numbered_lines(path):
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _gold_error(path, number, exc.msg) from exc
        if not isinstance(record, dict) or "id" not in record or "text" not in record:
            raise _gold_error(path, number, "a record needs 'id' and 'text'")
        yield record


def _gold_error(path: Path, number: int, reason: str) -> InputError:
    """E050 names the line in its text; InputError also keeps it as ``.line`` for the file:line prefix."""
    error = InputError.__new__(InputError)
    error.path, error.line = str(path), number
    ConflictRadarError.__init__(error, E.E050, line=number, reason=reason)
    return error
