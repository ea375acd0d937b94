"""Clustering of reports (pure algorithm): compatibility rules, order independence, the toll rule."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

from conflictradar.analyze.cluster import (
    Report,
    candidate_pairs,
    canonical_row,
    cluster_id_of,
    cluster_reports,
    compare,
    load_rules,
    reconcile_fatalities,
)

RULES = load_rules()


def report(event_id: str, *, day: str = "2024-03-05", type_: str = "Violence against civilians",
           sub: str = "Attack", actor1: str | None = "Unidentified Armed Group", actor2: str | None = "Civilians",
           lat: float | None = 12.65, lon: float | None = -8.0, geonames: int | None = 2460596,
           geo_precision: int = 1, date_precision: int = 1, deaths: tuple[int, int, int] = (5, 5, 5),
           sentence: str = "Gunmen killed five people at the market.", published: str | None = None,
           country: str = "ML") -> Report:
    return Report(
        event_id=event_id, article_id="a-" + event_id, event_type=type_, sub_event_type=sub,
        day=date.fromisoformat(day).toordinal(), date_precision=date_precision, actor1_name=actor1,
        actor1_type=None, actor2_name=actor2, actor2_type=None, location_name="Bamako", admin1="Bamako",
        admin2=None, country="Mali", country_code=country, latitude=lat, longitude=lon, geonames_id=geonames,
        geo_precision=geo_precision, fatalities_low=deaths[0], fatalities_best=deaths[1], fatalities_high=deaths[2],
        injured=None, abducted=None, arrested=None, civilian_targeting=True, historical=False, confidence=0.6,
        extractor="test", published=date.fromisoformat(published or day).toordinal(),
        targets=RULES.targets(sentence),
    )


def test_paraphrased_reports_link_with_reasons() -> None:
    a = report("a", sentence="Gunmen opened fire in a crowded market, killing five.")
    b = report("b", day="2024-03-06", lat=12.66, lon=-8.01, geonames=None, deaths=(7, 7, 7),
               sentence="Seven people died when armed men attacked the marketplace.")
    link = compare(a, b, RULES)
    assert link.is_edge and link.blocked is None
    assert "same sub-event type" in link.reasons and "same target market" in link.reasons
    assert compare(b, a, RULES) == link  # symmetric


def test_same_town_same_day_different_target_is_blocked() -> None:
    market = report("a", sentence="Gunmen attacked the market, killing five.")
    mosque = report("b", sentence="Gunmen attacked worshippers at a mosque, killing five.")
    assert compare(market, mosque, RULES).blocked == "different targets (market vs worship)"


def test_blocks_by_place_date_type_actor_and_country() -> None:
    base = report("a")
    assert "km apart" in (compare(base, report("b", lat=13.5), RULES).blocked or "")
    assert "days apart" in (compare(base, report("b", day="2024-03-08"), RULES).blocked or "")
    assert "countries differ" in (compare(base, report("b", country="BF"), RULES).blocked or "")
    vague = report("a", sentence="Five people were killed.")
    clash = report("b", type_="Battles", sub="Armed clash", sentence="Fighting left five dead.")
    assert "types differ" in (compare(vague, clash, RULES).blocked or "")
    assert "no actor in common" in (compare(replace(vague, actor1_name="Al-Shabaab"),
                                            replace(vague, event_id="b", actor1_name="Wagner Group"),
                                            RULES).blocked or "")


def test_a_shared_target_outweighs_a_type_disagreement() -> None:
    """Extractors code one incident differently; the same target hit at the same place and day is the same event."""
    market = report("a", sentence="Gunmen attacked the market.")
    clash = report("b", type_="Battles", sub="Armed clash", sentence="Fighting erupted at the market.")
    link = compare(market, clash, RULES)
    assert link.is_edge and any("types differ" in r for r in link.reasons)


def test_coarser_precision_widens_the_windows() -> None:
    exact = report("a")
    region = report("b", lat=13.2, geo_precision=3)  # ~61 km away: too far for a town, fine for a region
    assert compare(exact, report("b", lat=13.2), RULES).blocked is not None
    assert compare(exact, region, RULES).blocked is None
    week = report("b", day="2024-03-10", date_precision=2)
    assert compare(exact, week, RULES).blocked is None


def test_no_merge_through_a_bridging_report() -> None:
    """A report naming no target links to both; the two with different targets must still stay apart."""
    market = report("a", sentence="Gunmen attacked the market.")
    mosque = report("b", sentence="Gunmen attacked a mosque.")
    vague = report("c", sentence="Gunmen killed five people.")
    groups = cluster_reports([market, mosque, vague], RULES)
    together = [{r.event_id for r in g.reports} for g in groups]
    assert not any({"a", "b"} <= members for members in together)
    assert sorted(len(m) for m in together) == [1, 2]


def _synthetic(n_events: int, seed: int) -> list[Report]:
    rng = random.Random(seed)
    out = []
    for e in range(n_events):
        lat, lon = rng.uniform(10, 16), rng.uniform(-10, 0)
        day = date(2024, 1, 1).toordinal() + rng.randrange(120)
        target = rng.choice(["market", "mosque", "school", "checkpoint", "convoy"])
        for k in range(rng.randint(1, 4)):
            out.append(report(f"e{e:03d}r{k}", day=date.fromordinal(day + rng.choice([0, 0, 1])).isoformat(),
                              lat=lat + rng.uniform(-0.02, 0.02), lon=lon + rng.uniform(-0.02, 0.02),
                              geonames=None, sentence=f"Attackers hit the {target}.",
                              deaths=(k + 2, k + 2, k + 3)))
    return out


def _partition(groups: list) -> set[frozenset[str]]:  # type: ignore[type-arg]
    return {frozenset(r.event_id for r in g.reports) for g in groups}


def test_clusters_do_not_depend_on_input_order() -> None:
    reports = _synthetic(150, seed=3)
    expected = cluster_reports(reports, RULES)
    for seed in range(3):
        shuffled = reports[:]
        random.Random(seed).shuffle(shuffled)
        again = cluster_reports(shuffled, RULES)
        assert [canonical_row(g) for g in again] == [canonical_row(g) for g in expected]


def test_synthetic_reports_recover_their_events() -> None:
    reports = _synthetic(150, seed=5)
    truth: dict[str, set[str]] = {}
    for r in reports:
        truth.setdefault(r.event_id[:4], set()).add(r.event_id)
    found = _partition(cluster_reports(reports, RULES))
    exact = sum(1 for members in truth.values() if frozenset(members) in found)
    assert exact >= 0.9 * len(truth)


def test_blocking_finds_every_pair_compare_allows() -> None:
    reports = sorted(_synthetic(60, seed=9), key=lambda r: r.event_id)
    reports += [replace(reports[0], event_id="zz-month", date_precision=3,
                        day=reports[0].day + 20, published=reports[0].day + 20)]
    blocked_pairs = {(min(i, j), max(i, j)) for i, j in candidate_pairs(reports, RULES)}
    for i in range(len(reports)):
        for j in range(i + 1, len(reports)):
            if compare(reports[i], reports[j], RULES).blocked is None:
                assert (i, j) in blocked_pairs


def test_fatalities_rule_is_conservative_with_a_range() -> None:
    told = [report("a", deaths=(10, 10, 10)), report("b", deaths=(12, 14, 20)), report("c", deaths=(30, 30, 30)),
            report("d", deaths=(0, 0, 0))]
    assert reconcile_fatalities(told) == (10, 14, 30)
    assert reconcile_fatalities([report("a", deaths=(0, 0, 0))]) == (0, 0, 0)


def test_canonical_event_id_is_the_earliest_reports_hash() -> None:
    late = report("a", published="2024-03-07")
    early = report("b", published="2024-03-05")
    (group,) = cluster_reports([late, early], RULES)
    assert group.reports[0].event_id == "b"
    row = canonical_row(group)
    assert row["event_id"] == cluster_id_of("b") and row["n_reports"] == 2 and row["rep_event_id"] == "b"
