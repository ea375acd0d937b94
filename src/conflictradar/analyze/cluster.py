"""Merge reports of one real event: pairwise comparison, blocking by grid cell and week, deterministic linkage.

The result depends only on the *set* of reports, never on the order they arrived in:

1. ``compare`` is symmetric: two reports are either incompatible (``blocked``: different country, type,
   place, dates, actors or targets) or linked with a score and the reasons for it.
2. Reports joined by links scoring at least ``EDGE_SCORE`` form connected components (union-find: the
   same components whatever the order of the edges).
3. Inside each component, links are taken best-first in a fixed order (score, then ids) and two groups
   merge only when no pair across them is blocked (complete linkage on the cannot-link constraints), so
   two attacks in one town on one day against different targets never merge, even through a third report.

Because a component is closed (no link leaves it), re-clustering just the components that new reports
touch gives exactly what clustering everything at once gives; ``storage.py`` relies on that.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any, Final

import yaml

from ..store.grid import grid_cell

__all__ = [
    "EDGE_SCORE",
    "Group",
    "Link",
    "Report",
    "Rules",
    "canonical_row",
    "cluster_id_of",
    "cluster_reports",
    "compare",
    "load_rules",
]

#: A link at least this strong joins two reports into one component (base 0.5; see ``compare``).
EDGE_SCORE: Final = 0.6
#: Grid cells for blocking are this many degrees wide; every radius in the rules must stay below one cell.
CELL_DEG: Final = 1.0
_KM_PER_DEG: Final = 111.2


@dataclass(frozen=True)
class Rules:
    """The merge rules of ``data/dedup.yaml``."""

    date_window: Mapping[int, int]
    radius_km: Mapping[int, float]
    compatible_types: frozenset[frozenset[str]]
    wildcard_actors: frozenset[str]
    target_patterns: tuple[tuple[str, re.Pattern[str]], ...]

    def targets(self, sentence: str) -> frozenset[str]:
        """The target classes a sentence names (market, school, checkpoint...)."""
        text = sentence.lower()
        return frozenset(name for name, pattern in self.target_patterns if pattern.search(text))


@cache
def load_rules() -> Rules:
    raw = yaml.safe_load(resources.files(__package__).joinpath("data", "dedup.yaml").read_text(encoding="utf-8"))
    patterns = tuple(
        (name, re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b"))
        for name, words in sorted(raw["target_classes"].items())
    )
    radius = {int(k): float(v) for k, v in raw["radius_km"].items()}
    if max(radius.values()) >= CELL_DEG * _KM_PER_DEG:
        raise ValueError("dedup.yaml: every radius_km must be below one grid cell (111 km)")
    return Rules(
        date_window={int(k): int(v) for k, v in raw["date_window_days"].items()},
        radius_km=radius,
        compatible_types=frozenset(frozenset(pair) for pair in raw["compatible_types"]),
        wildcard_actors=frozenset(a.lower() for a in raw["wildcard_actors"]),
        target_patterns=patterns,
    )


@dataclass(frozen=True, slots=True)
class Report:
    """One per-article event record, as clustering sees it (an ``events`` row plus its article's date)."""

    event_id: str
    article_id: str
    event_type: str
    sub_event_type: str
    day: int  # date.toordinal() of event_date
    date_precision: int
    actor1_name: str | None
    actor1_type: str | None
    actor2_name: str | None
    actor2_type: str | None
    location_name: str | None
    admin1: str | None
    admin2: str | None
    country: str | None
    country_code: str | None
    latitude: float | None
    longitude: float | None
    geonames_id: int | None
    geo_precision: int | None
    fatalities_low: int
    fatalities_best: int
    fatalities_high: int
    injured: int | None
    abducted: int | None
    arrested: int | None
    civilian_targeting: bool
    historical: bool
    confidence: float
    extractor: str
    published: int | None  # ordinal of the article's publication date
    targets: frozenset[str]

    @classmethod
    def from_row(cls, row: Mapping[Any, Any], rules: Rules) -> Report:
        """From an ``events`` row joined with its evidence ``sentence`` and article ``published`` date."""
        published = row.get("published")
        return cls(
            event_id=row["event_id"], article_id=row["article_id"], event_type=row["event_type"],
            sub_event_type=row["sub_event_type"], day=_ordinal(row["event_date"]),
            date_precision=int(row["date_precision"]), actor1_name=row["actor1_name"],
            actor1_type=row["actor1_type"], actor2_name=row["actor2_name"], actor2_type=row["actor2_type"],
            location_name=row["location_name"], admin1=row["admin1"], admin2=row["admin2"], country=row["country"],
            country_code=row["country_code"], latitude=row["latitude"], longitude=row["longitude"],
            geonames_id=row["geonames_id"], geo_precision=row["geo_precision"],
            fatalities_low=int(row["fatalities_low"]), fatalities_best=int(row["fatalities_best"]),
            fatalities_high=int(row["fatalities_high"]), injured=row["injured"], abducted=row["abducted"],
            arrested=row["arrested"], civilian_targeting=bool(row["civilian_targeting"]),
            historical=bool(row["historical"]), confidence=float(row["confidence"]), extractor=row["extractor"],
            published=_ordinal(published) if published is not None else None,
            targets=rules.targets(row.get("sentence") or ""),
        )

    @property
    def has_point(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def place_key(self) -> str:
        """Where a report without coordinates happened, for comparing it with others like it."""
        return (self.location_name or self.admin1 or "").strip().lower()

    @property
    def order_key(self) -> tuple[int, str]:
        """Earliest report first: by publication (else event) date, then id."""
        return (self.published if self.published is not None else self.day, self.event_id)


def _ordinal(value: Any) -> int:
    return (value if isinstance(value, date) else date.fromisoformat(str(value)[:10])).toordinal()


@dataclass(frozen=True, slots=True)
class Link:
    """How two reports compare: ``blocked`` says why they cannot be one event; else a score and reasons."""

    score: float
    reasons: tuple[str, ...]
    blocked: str | None = None

    @property
    def is_edge(self) -> bool:
        return self.blocked is None and self.score >= EDGE_SCORE


def km_between(a: Report, b: Report) -> float:
    """Great-circle distance (haversine) between two reports' points."""
    assert a.latitude is not None and a.longitude is not None and b.latitude is not None and b.longitude is not None
    p1, p2 = math.radians(a.latitude), math.radians(b.latitude)
    dp, dl = p2 - p1, math.radians(b.longitude - a.longitude)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _named_actors(r: Report, rules: Rules) -> set[str]:
    names = (r.actor1_name, r.actor2_name)
    return {n.strip().lower() for n in names if n and n.strip().lower() not in rules.wildcard_actors}


def _place_block(a: Report, b: Report, rules: Rules) -> tuple[str | None, list[str], float]:
    """Whether two reports can be at one place: (blocked reason, reasons, score bonus)."""
    radius = rules.radius_km[max(a.geo_precision or 3, b.geo_precision or 3)]
    if a.has_point and b.has_point:
        km = km_between(a, b)
        if km > radius:
            return f"{km:.0f} km apart (radius {radius:.0f} km)", [], 0.0
        same = a.geonames_id is not None and a.geonames_id == b.geonames_id
        bonus = 0.1 if same or km < 1.0 else 0.0
        return None, ["same place" if same else f"{km:.1f} km apart (radius {radius:.0f} km)"], bonus
    if a.place_key and a.place_key == b.place_key:
        return None, [f"same place name {a.place_key!r}"], 0.0
    return "no shared place", [], 0.0


def _soft_conflicts(a: Report, b: Report, rules: Rules) -> list[str]:
    """Disagreements that extraction noise can cause; they keep reports apart unless both name the same target."""
    found = []
    if a.event_type != b.event_type and frozenset((a.event_type, b.event_type)) not in rules.compatible_types:
        found.append(f"types differ ({a.event_type} vs {b.event_type})")
    names_a, names_b = _named_actors(a, rules), _named_actors(b, rules)
    if names_a and names_b and not names_a & names_b:
        found.append(f"no actor in common ({', '.join(sorted(names_a))} vs {', '.join(sorted(names_b))})")
    return found


def _hard_blocks(a: Report, b: Report, rules: Rules) -> str | None:
    if a.historical != b.historical:
        return "one report is background history"
    if a.country_code and b.country_code and a.country_code != b.country_code:
        return f"countries differ ({a.country_code} vs {b.country_code})"
    precision = max(a.date_precision, b.date_precision)
    window = rules.date_window.get(precision)
    if window is None:
        return "a year-only date cannot be matched"
    if abs(a.day - b.day) > window:
        return f"dates {abs(a.day - b.day)} days apart (window {window})"
    if a.targets and b.targets and not a.targets & b.targets:
        return f"different targets ({', '.join(sorted(a.targets))} vs {', '.join(sorted(b.targets))})"
    conflicts = _soft_conflicts(a, b, rules)
    if conflicts and not a.targets & b.targets:
        return "; ".join(conflicts)
    return None


def compare(a: Report, b: Report, rules: Rules) -> Link:
    """Symmetric comparison of two reports: blocked, or a score with the reasons for it.

    Blocked: different country, dates outside the window, points beyond the radius, disjoint targets;
    different types or no actor in common, unless both name the same target (then a penalty).
    Score: 0.5, +0.2 same sub-event type (-0.2 same type, other sub-type), +0.2 same target, +0.1 same
    date, +0.1 same place, +0.1 a shared named actor, -0.2 per soft conflict, -0.2 tolls far apart.
    """
    blocked = _hard_blocks(a, b, rules)
    if blocked is None:
        blocked, place_reasons, score = _place_block(a, b, rules)
    if blocked is not None:
        return Link(0.0, (), blocked)
    score += 0.5
    same_type = a.event_type == b.event_type
    compatible = frozenset((a.event_type, b.event_type)) in rules.compatible_types
    reasons = [f"type {a.event_type}" if same_type else "compatible types" if compatible else "types differ"]
    if a.sub_event_type == b.sub_event_type:
        score += 0.2
        reasons.append("same sub-event type")
    elif a.event_type == b.event_type:
        score -= 0.2
        reasons.append("sub-event types differ")
    for conflict in _soft_conflicts(a, b, rules):
        score -= 0.2
        reasons.append(conflict + ", but the same target")
    gap = abs(a.day - b.day)
    score += 0.1 if gap == 0 else 0.0
    reasons.append("same date" if gap == 0 else f"dates {gap} days apart")
    reasons.extend(place_reasons)
    shared = _named_actors(a, rules) & _named_actors(b, rules)
    if shared:
        score += 0.1
        reasons.append("shared actor " + ", ".join(sorted(shared)))
    if a.targets & b.targets:
        score += 0.2
        reasons.append("same target " + ", ".join(sorted(a.targets & b.targets)))
    low, high = sorted((a.fatalities_best, b.fatalities_best))
    if low > 0 and high > 4 * low and high - low > 10:
        score -= 0.2
        reasons.append(f"tolls disagree ({low} vs {high})")
    return Link(round(score, 3), tuple(reasons))


# ---- blocking -------------------------------------------------------------------------------------


def _bucket_of(r: Report) -> tuple[Any, ...] | None:
    if r.has_point:
        assert r.latitude is not None and r.longitude is not None
        return (math.floor(r.latitude / CELL_DEG), math.floor(r.longitude / CELL_DEG))
    return ("place", r.country_code or "", r.place_key) if r.place_key else None


def _neighbour_buckets(r: Report, bucket: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    if bucket[0] == "place":
        yield bucket
        return
    cy, cx = bucket
    assert r.latitude is not None
    # One cell spans at least the largest radius north-south; east-west cells shrink with latitude.
    shrink = max(math.cos(math.radians(min(89.0, abs(r.latitude) + CELL_DEG))), 0.01)
    dx = math.ceil(1.0 / shrink)
    for y in (cy - 1, cy, cy + 1):
        for x in range(cx - dx, cx + dx + 1):
            yield (y, x)


def candidate_pairs(reports: Sequence[Report], rules: Rules) -> Iterator[tuple[int, int]]:
    """Pairs of indices close enough in space and time to compare (blocking by grid cell and week).

    Every pair that ``compare`` might not block is produced exactly once: each report looks through the
    weeks its own date window reaches, and a pair is kept by the report with the wider window (ties: the
    higher index), which covers the gap ``compare`` allows.
    """
    index: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    buckets = [_bucket_of(r) for r in reports]
    for i, (r, b) in enumerate(zip(reports, buckets, strict=True)):
        if b is not None:
            index[(*b, r.day // 7)].append(i)
    windows = [rules.date_window.get(r.date_precision, -1) for r in reports]
    for i, (r, b) in enumerate(zip(reports, buckets, strict=True)):
        if b is None or windows[i] < 0:
            continue
        rank = (windows[i], i)
        for cell in _neighbour_buckets(r, b):
            for week in range((r.day - windows[i]) // 7, (r.day + windows[i]) // 7 + 1):
                for j in index.get((*cell, week), ()):
                    if (windows[j], j) < rank and abs(reports[j].day - r.day) <= windows[i]:
                        yield (j, i)


# ---- linkage --------------------------------------------------------------------------------------


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        ri, rj = self.find(i), self.find(j)
        if ri != rj:
            self.parent[max(ri, rj)] = min(ri, rj)


@dataclass(frozen=True)
class Group:
    """One cluster: its reports (earliest first), the link that placed each, and its component's id."""

    reports: tuple[Report, ...]
    links: tuple[tuple[str, Link] | None, ...]  # per report: (the report it was linked to, the link), or None
    component_id: str

    @property
    def cluster_id(self) -> str:
        return cluster_id_of(self.reports[0].event_id)


def cluster_id_of(representative_event_id: str) -> str:
    """Stable id of a cluster: a hash of its earliest report's event id (so ids don't churn)."""
    return "c" + hashlib.sha256(representative_event_id.encode("utf-8")).hexdigest()[:19]


def cluster_reports(reports: Iterable[Report], rules: Rules | None = None) -> list[Group]:
    """Cluster reports into groups; the same set of reports always gives the same groups, in id order."""
    rules = rules or load_rules()
    ordered = sorted({r.event_id: r for r in reports}.values(), key=lambda r: r.event_id)
    uf = _UnionFind(len(ordered))
    edges: dict[int, list[tuple[int, int, Link]]] = defaultdict(list)
    found: list[tuple[int, int, Link]] = []
    for i, j in candidate_pairs(ordered, rules):
        link = compare(ordered[i], ordered[j], rules)
        if link.is_edge:
            uf.union(i, j)
            found.append((min(i, j), max(i, j), link))
    for i, j, link in found:
        edges[uf.find(i)].append((i, j, link))
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(ordered)):
        members[uf.find(i)].append(i)
    groups: list[Group] = []
    for root, idx in members.items():
        groups.extend(_link_component(ordered, idx, edges.get(root, []), rules))
    return sorted(groups, key=lambda g: g.reports[0].event_id)


def _link_component(ordered: Sequence[Report], idx: list[int], edges: list[tuple[int, int, Link]],
                    rules: Rules) -> list[Group]:
    """Best-first linkage inside one component, never putting two incompatible reports in one group."""
    component_id = ordered[idx[0]].event_id  # idx is ascending, so this is the smallest event id
    group_of = {i: i for i in idx}
    content: dict[int, list[int]] = {i: [i] for i in idx}
    verdicts: dict[tuple[int, int], bool] = {}

    def compatible(i: int, j: int) -> bool:
        key = (min(i, j), max(i, j))
        if key not in verdicts:
            verdicts[key] = compare(ordered[key[0]], ordered[key[1]], rules).blocked is None
        return verdicts[key]

    for i, j, _link in sorted(edges, key=lambda e: (-e[2].score, e[0], e[1])):
        gi, gj = group_of[i], group_of[j]
        if gi == gj or not all(compatible(x, y) for x in content[gi] for y in content[gj]):
            continue
        keep, gone = min(gi, gj), max(gi, gj)
        content[keep].extend(content.pop(gone))
        for x in content[keep]:
            group_of[x] = keep
    best: dict[int, tuple[int, Link]] = {}
    for i, j, link in sorted(edges, key=lambda e: (-e[2].score, e[0], e[1])):
        if group_of[i] == group_of[j]:
            best.setdefault(i, (j, link))
            best.setdefault(j, (i, link))
    groups = []
    for members in content.values():
        chosen = sorted(members, key=lambda k: ordered[k].order_key)
        links = tuple(None if k == chosen[0] or k not in best else (ordered[best[k][0]].event_id, best[k][1])
                      for k in chosen)
        groups.append(Group(tuple(ordered[k] for k in chosen), links, component_id))
    return groups


# ---- the canonical event ----------------------------------------------------------------------------


def _mode(values: Iterable[Any]) -> Any:
    """Most frequent non-null value; ties go to the smallest (by str), so the choice is deterministic."""
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    top = max(counts.values())
    return min((v for v, c in counts.items() if c == top), key=str)


def _lower_median(values: list[int]) -> int:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def reconcile_fatalities(reports: Sequence[Report]) -> tuple[int, int, int]:
    """Low/best/high deaths across reports that gave a toll.

    low = the smallest low any report gave, high = the largest high (UCDP-style range); best = the lower
    median of the reports' best figures (conservative like ACLED, but one outlier report cannot set it).
    Reports that give no toll (0) are ignored unless no report gives one.
    """
    told = [r for r in reports if r.fatalities_high > 0]
    if not told:
        return 0, 0, 0
    low = min(r.fatalities_low for r in told)
    high = max(r.fatalities_high for r in told)
    best = min(max(_lower_median([r.fatalities_best for r in told]), low), high)
    return low, best, high


def _optional_median(values: Iterable[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return _lower_median(known) if known else None


def canonical_row(group: Group) -> dict[str, Any]:
    """The canonical event of a group, as a ``clusters`` row (the ``events`` columns plus cluster bookkeeping)."""
    reps = group.reports
    rep = reps[0]
    event_type = _mode(r.event_type for r in reps)
    sub_type = _mode(r.sub_event_type for r in reps if r.event_type == event_type)
    finest = min(r.date_precision for r in reps)
    day = min(Counter(r.day for r in reps if r.date_precision == finest).most_common(),
              key=lambda item: (-item[1], item[0]))[0]
    where = min(reps, key=lambda r: (r.geo_precision or 9, not r.has_point, r.order_key))
    low, best, high = reconcile_fatalities(reps)
    civilian = sum(r.civilian_targeting for r in reps) * 2 >= len(reps)
    not_conf = math.prod(1.0 - r.confidence for r in reps)
    actor1 = _mode(r.actor1_name for r in reps)
    actor2 = _mode(r.actor2_name for r in reps if r.actor2_name != actor1)
    return {
        "event_id": group.cluster_id, "article_id": rep.article_id, "rep_event_id": rep.event_id,
        "component_id": group.component_id, "n_reports": len(reps),
        "event_type": event_type, "sub_event_type": sub_type, "event_date": date.fromordinal(day),
        "date_precision": finest,
        "actor1_name": actor1, "actor1_type": _mode(r.actor1_type for r in reps if r.actor1_name == actor1),
        "actor2_name": actor2, "actor2_type": _mode(r.actor2_type for r in reps if r.actor2_name == actor2),
        "location_name": where.location_name, "admin1": where.admin1, "admin2": where.admin2,
        "country": where.country, "country_code": where.country_code, "latitude": where.latitude,
        "longitude": where.longitude, "geonames_id": where.geonames_id, "geo_precision": where.geo_precision,
        "cell": grid_cell(where.latitude, where.longitude),
        "fatalities_low": low, "fatalities_best": best, "fatalities_high": high,
        "injured": _optional_median(r.injured for r in reps),
        "abducted": _optional_median(r.abducted for r in reps),
        "arrested": _optional_median(r.arrested for r in reps),
        "civilian_targeting": civilian, "historical": all(r.historical for r in reps),
        "confidence": round(1.0 - not_conf, 4), "extractor": rep.extractor,
    }


def member_rows(group: Group) -> list[dict[str, Any]]:
    """Audit rows: for each report of a group, the link that put it there (score and reasons)."""
    rows: list[dict[str, Any]] = []
    for report, link in zip(group.reports, group.links, strict=True):
        if link is None:
            why = ["representative (earliest report)"] if report is group.reports[0] else ["kept with its group"]
            rows.append({"event_id": report.event_id, "cluster_id": group.cluster_id,
                         "component_id": group.component_id, "linked_to": None, "score": None,
                         "reasons": "; ".join(why)})
        else:
            other, lk = link
            rows.append({"event_id": report.event_id, "cluster_id": group.cluster_id,
                         "component_id": group.component_id, "linked_to": other, "score": lk.score,
                         "reasons": "; ".join(lk.reasons)})
    return rows
