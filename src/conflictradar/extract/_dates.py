"""Resolving date expressions ("on Tuesday", "in December", "23 February 2022") against the publication date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
WEEKDAYS = {d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_YEAR = r"(?P<year>(?:19|20)\d{2})"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_DAY_MONTH_YEAR = re.compile(r"\b" + _DAY + r"\s+(?:of\s+)?" + _MONTH + r"(?:,?\s+" + _YEAR + r")?\b", re.I)
_MONTH_DAY_YEAR = re.compile(r"\b" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+" + _YEAR + r")?\b", re.I)
_ISO = re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<month>\d{2})-(?P<day>\d{2})\b")
_WEEKDAY = re.compile(r"\b(?:on\s+|late\s+|early\s+|last\s+)?(?P<weekday>" + "|".join(WEEKDAYS) + r")\b", re.I)
_MONTH_ONLY = re.compile(
    r"\b(?:in|since|during|throughout|early|late|mid-?)\s+" + _MONTH + r"(?:\s+" + _YEAR + r")?\b", re.I)
_YEAR_ONLY = re.compile(r"\b(?:in|since|during|of)\s+(?P<year>(?:19|20)\d{2})\b", re.I)
_RELATIVE = re.compile(
    r"\b(?P<rel>yesterday|today|tonight|this morning|this afternoon|this evening|last night|"
    r"last week|earlier this week|this week|earlier this month|this month|last month|last year)\b",
    re.I,
)
_AGO = re.compile(r"\b(?P<n>\w+)\s+(?P<unit>day|week|month|year)s?\s+ago\b", re.I)


@dataclass(frozen=True)
class ResolvedDate:
    value: date
    precision: int  # 1 day, 2 week, 3 month, 4 year
    start: int  # offsets into the text searched; -1 when no cue was found
    end: int

    @property
    def from_text(self) -> bool:
        return self.start >= 0


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _not_after(candidate: date, published: date) -> date:
    """A date written without a year is the most recent such date not after publication."""
    if candidate > published:
        shifted = _safe_date(candidate.year - 1, candidate.month, candidate.day)
        return shifted or candidate
    return candidate


def _mid_month(year: int, month: int, published: date) -> date:
    mid = date(year, month, 15)
    return min(mid, published) if (year, month) == (published.year, published.month) else mid


_SMALL = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
          "a": 1, "an": 1, "several": 3, "few": 3}


def resolve_date(text: str, published: date) -> ResolvedDate:
    """The date ``text`` puts its event on, relative to ``published``; the publication date if it gives none."""
    found = _explicit(text, published) or _weekday(text, published) or _relative(text, published)
    found = found or _month_only(text, published) or _year_only(text, published)
    return found or ResolvedDate(published, 2, -1, -1)


def _explicit(text: str, published: date) -> ResolvedDate | None:
    for pattern in (_ISO, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for m in pattern.finditer(text):
            month_raw = m.group("month")
            month = int(month_raw) if month_raw.isdigit() else MONTHS[month_raw.lower().rstrip(".")]
            year = int(m.group("year")) if m.group("year") else published.year
            value = _safe_date(year, month, int(m.group("day")))
            if value is None:
                continue
            if not m.group("year"):
                value = _not_after(value, published)
            if value > published:
                continue
            return ResolvedDate(value, 1, m.start(), m.end())
    return None


def _weekday(text: str, published: date) -> ResolvedDate | None:
    m = _WEEKDAY.search(text)
    if not m:
        return None
    back = (published.weekday() - WEEKDAYS[m.group("weekday").lower()]) % 7
    if m.group(0).lower().startswith("last ") and back == 0:
        back = 7
    return ResolvedDate(published - timedelta(days=back), 1, m.start(), m.end())


def _relative(text: str, published: date) -> ResolvedDate | None:
    m = _RELATIVE.search(text)
    if m:
        rel = m.group("rel").lower()
        if rel == "yesterday" or rel == "last night":
            return ResolvedDate(published - timedelta(days=1), 1, m.start(), m.end())
        if rel in {"today", "tonight", "this morning", "this afternoon", "this evening"}:
            return ResolvedDate(published, 1, m.start(), m.end())
        if rel == "last week":
            return ResolvedDate(published - timedelta(days=7), 2, m.start(), m.end())
        if rel in {"earlier this week", "this week"}:
            return ResolvedDate(published - timedelta(days=min(published.weekday(), 3)), 2, m.start(), m.end())
        if rel in {"earlier this month", "this month"}:
            return ResolvedDate(_mid_month(published.year, published.month, published), 3, m.start(), m.end())
        if rel == "last month":
            prev = published.replace(day=1) - timedelta(days=1)
            return ResolvedDate(prev.replace(day=15), 3, m.start(), m.end())
        if rel == "last year":
            return ResolvedDate(date(published.year - 1, 7, 1), 4, m.start(), m.end())
    m = _AGO.search(text)
    if m and m.group("n").lower() in _SMALL | {str(i): i for i in range(1, 100)}:
        raw = m.group("n").lower()
        n = int(raw) if raw.isdigit() else _SMALL[raw]
        unit = m.group("unit").lower()
        if unit == "day":
            return ResolvedDate(published - timedelta(days=n), 1, m.start(), m.end())
        if unit == "week":
            return ResolvedDate(published - timedelta(weeks=n), 2, m.start(), m.end())
        if unit == "month":
            month_index = published.year * 12 + published.month - 1 - n
            return ResolvedDate(date(month_index // 12, month_index % 12 + 1, 15), 3, m.start(), m.end())
        return ResolvedDate(date(published.year - n, 7, 1), 4, m.start(), m.end())
    return None


def _month_only(text: str, published: date) -> ResolvedDate | None:
    m = _MONTH_ONLY.search(text)
    if not m:
        return None
    month = MONTHS[m.group("month").lower().rstrip(".")]
    year = int(m.group("year")) if m.group("year") else published.year
    if not m.group("year") and (year, month) > (published.year, published.month):
        year -= 1
    return ResolvedDate(_mid_month(year, month, published), 3, m.start(), m.end())


def _year_only(text: str, published: date) -> ResolvedDate | None:
    m = _YEAR_ONLY.search(text)
    if not m:
        return None
    year = int(m.group("year"))
    if year > published.year:
        return None
    value = date(year, 7, 1) if year < published.year else published
    return ResolvedDate(value, 4, m.start(), m.end())
