"""A deterministic synthetic corpus of ~600-word wire-style conflict reports, for benchmarking only.

Every sentence is invented from the templates below (several conflicts, a dateline and lead, a few
event sentences, quotes, background and humanitarian paragraphs that describe no event), so the mix
resembles real wire copy: most sentences describe no event. The same ``seed`` and ``n`` always give
the same articles, byte for byte.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from conflictradar.schema import Article

__all__ = ["THEATRES", "Theatre", "make_article", "make_corpus", "write_jsonl"]


@dataclass(frozen=True)
class Theatre:
    """One conflict: where it happens and who fights in it."""

    country: str
    places: tuple[str, ...]
    state: tuple[str, ...]
    rebels: tuple[str, ...]
    provinces: tuple[str, ...]


THEATRES: tuple[Theatre, ...] = (
    Theatre("Syria", ("Aleppo", "Idlib", "Homs", "Deir ez-Zor", "Raqqa"),
            ("Syrian army troops", "government forces"), ("Islamic State fighters", "rebel fighters"),
            ("Idlib province", "Aleppo province")),
    Theatre("Nigeria", ("Maiduguri", "Kaduna", "Zaria", "Yola", "Damaturu"),
            ("Nigerian soldiers", "the Nigerian army"), ("Boko Haram militants", "gunmen"),
            ("Borno state", "Kaduna state")),
    Theatre("Somalia", ("Mogadishu", "Kismayo", "Baidoa", "Beledweyne", "Jowhar"),
            ("Somali troops", "government soldiers"), ("al-Shabaab militants", "al-Shabaab fighters"),
            ("Lower Shabelle region", "Hiraan region")),
    Theatre("Mali", ("Mopti", "Gao", "Timbuktu", "Kidal", "Sevare"),
            ("Malian soldiers", "the Malian army"), ("jihadist fighters", "armed men"),
            ("Mopti region", "Gao region")),
    Theatre("Yemen", ("Taiz", "Marib", "Hodeidah", "Aden", "Sanaa"),
            ("government forces", "pro-government fighters"), ("Houthi rebels", "Houthi fighters"),
            ("Marib province", "Taiz province")),
    Theatre("Ukraine", ("Kharkiv", "Kherson", "Odesa", "Zaporizhzhia", "Dnipro"),
            ("Ukrainian forces", "Ukrainian troops"), ("Russian forces", "Russian troops"),
            ("Kharkiv region", "Kherson region")),
)

_NUMBERS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "10", "12", "15", "21")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_OFFICIALS = ("a local official", "a security source", "a military spokesman", "a hospital director",
              "the provincial governor", "a witness", "a police spokesman", "an aid worker")

_EVENTS = (
    "{rebel} attacked a checkpoint near {place} on {day}, killing {n} soldiers, {official} said.",
    "{state} clashed with {rebel} on the outskirts of {place} on {day}, leaving {n} fighters dead.",
    "An air strike hit a market in {place} on {day}, killing {n} civilians and wounding dozens more.",
    "A roadside bomb exploded near a convoy outside {place} on {day}, killing {n} soldiers.",
    "{rebel} abducted {n} villagers from a farm near {place} on {day}, {official} said.",
    "Artillery shells struck a residential district of {place} on {day}, killing {n} people.",
    "Police fired tear gas to disperse hundreds of protesters in {place} on {day}.",
    "{state} arrested {n} suspected militants in a raid in {place} on {day}.",
)

_CONTEXT = (
    "Residents said the sound of gunfire could be heard for several hours before the area fell quiet.",
    "The report could not be independently verified because access to the area is restricted.",
    "Officials gave no further details about the operation and did not say whether it had ended.",
    "Schools and shops in the town stayed closed for a second day as families waited for news.",
    "The road linking the town to the provincial capital remained closed to traffic on the following day.",
    "Local leaders appealed for calm and asked the authorities to send more patrols to outlying villages.",
    "A spokesman for the governor said an investigation had been opened into the circumstances.",
    "Hospital staff said they were short of blood supplies and asked volunteers to come forward.",
)

_BACKGROUND = (
    "The conflict in {country} has displaced hundreds of thousands of people over the past decade, "
    "and aid agencies say funding for relief work covers less than half of what is needed.",
    "Talks between the government and opposition groups stalled last year after disagreements over "
    "the sequencing of a ceasefire, the release of prisoners and the return of displaced families.",
    "Analysts say the armed groups active in {province} have splintered into smaller factions that "
    "compete for control of smuggling routes, mining sites and roads used by traders.",
    "The United Nations has repeatedly called on all parties to protect civilians and to allow "
    "humanitarian convoys to reach communities cut off by the fighting.",
    "Food prices in markets across {province} have roughly doubled since the start of the year, "
    "according to traders, who blame insecurity on the roads and a weak local currency.",
    "Many families in {place} depend on farming and herding, and the rainy season is expected to "
    "make several roads impassable for weeks.",
    "Diplomats from neighbouring countries met in the capital last month to discuss border security, "
    "the flow of refugees and the financing of a regional development programme.",
    "Human rights groups have urged the authorities to publish the findings of earlier inquiries and to "
    "hold those responsible for abuses to account.",
    "The government says it has regained the initiative in recent months, a claim that independent "
    "observers describe as difficult to assess given restrictions on reporting.",
    "Mobile phone networks in parts of {province} have been cut for long periods, making it hard for "
    "relatives to reach people living in remote villages.",
)

_QUOTES = (
    '"We heard the explosions and ran to the fields with our children," one resident told reporters '
    "by telephone, asking not to be named for fear of reprisals.",
    '"The situation is very difficult and people are afraid to leave their homes," said a teacher in '
    "{place} who has lived in the town all her life.",
    '"We need medicine, water and shelter before the rains come," a community leader said, adding that '
    "several wells had stopped working.",
    '"Our forces remain in full control of the area," a military statement said, without giving '
    "details of the number of troops deployed.",
)


def _fill(template: str, rng: random.Random, theatre: Theatre, place: str) -> str:
    return template.format(
        rebel=rng.choice(theatre.rebels), state=rng.choice(theatre.state), place=place,
        day=rng.choice(_WEEKDAYS), n=rng.choice(_NUMBERS), official=rng.choice(_OFFICIALS),
        country=theatre.country, province=rng.choice(theatre.provinces),
    )


def _capitalise(sentence: str) -> str:
    return sentence[0].upper() + sentence[1:]


def _paragraphs(rng: random.Random, theatre: Theatre, place: str, target_words: int) -> list[str]:
    """Lead event, then alternating context, background, quotes and a second event until long enough."""
    lead = f"{place.upper()}, {theatre.country} (Bench Wire) - " + _fill(rng.choice(_EVENTS), rng, theatre, place)
    paragraphs = [lead]
    pools = (_CONTEXT, _BACKGROUND, _QUOTES, _BACKGROUND, _CONTEXT, _EVENTS, _BACKGROUND)
    step = 0
    while sum(len(p.split()) for p in paragraphs) < target_words:
        pool = pools[step % len(pools)]
        sentences = [_capitalise(_fill(rng.choice(pool), rng, theatre, rng.choice(theatre.places)))
                     for _ in range(2 if pool is _CONTEXT else 1)]
        paragraphs.append(" ".join(sentences))
        step += 1
    return paragraphs


def make_article(index: int, seed: int = 7, words: int = 600) -> Article:
    """Article number ``index`` of the corpus with this seed (independent of the others)."""
    rng = random.Random(f"{seed}:{index}")
    theatre = THEATRES[index % len(THEATRES)]
    place = rng.choice(theatre.places)
    published = date(2024, 1, 1) + timedelta(days=rng.randrange(365))
    text = "\n\n".join(_paragraphs(rng, theatre, place, words))
    return Article(id=f"bench-{seed}-{index:07d}", text=text, published=published,
                   title=f"Violence reported near {place}", source="Bench Wire",
                   url=f"https://example.org/bench/{seed}/{index}")


def make_corpus(n: int, seed: int = 7, words: int = 600) -> list[Article]:
    return [make_article(i, seed, words) for i in range(n)]


def write_jsonl(articles: list[Article], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for article in articles:
            out.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")
    return path
