"""Tolls read from the grammar: numbers, words, sums, qualifiers, and the numbers that are never tolls."""

from __future__ import annotations

import pytest

from conflictradar.extract._casualties import find_casualties, total
from conflictradar.nlp import NlpPipeline
from conflictradar.schema import Count


def _toll(nlp: NlpPipeline, text: str, kind: str = "killed") -> Count | None:
    doc = nlp.parse(text)
    found = [c for s in doc.sents for c in find_casualties(s)]
    return total(found, kind)


@pytest.mark.parametrize(("text", "best"), [
    ("Gunmen killed 12 villagers near the market.", 12),
    ("Rebels killed twenty-one soldiers at a checkpoint.", 21),
    ("Ten soldiers and one officer were killed in the ambush.", 11),
    ("An airstrike killed a shepherd near the border.", 1),
    ("A policeman was shot dead outside the station.", 1),
    ("Two traders died after the attack on the convoy.", 2),
    ("The death toll rose to 40 on Friday.", 40),
    ("Three fatalities were reported after the clash.", 3),
])
def test_reads_the_toll(nlp: NlpPipeline, text: str, best: int) -> None:
    toll = _toll(nlp, text)
    assert toll is not None and toll.best == best


def test_at_least_keeps_the_figure_as_low_bound(nlp: NlpPipeline) -> None:
    toll = _toll(nlp, "At least 15 people were killed when shells hit the town.")
    assert toll is not None and toll.low == 15 and toll.best == 15 and toll.high > 15


def test_dozens_is_a_range(nlp: NlpPipeline) -> None:
    toll = _toll(nlp, "Dozens of people were killed in the bombing.")
    assert toll is not None and toll.low < toll.high


def test_including_is_a_subset_not_an_addition(nlp: NlpPipeline) -> None:
    toll = _toll(nlp, "The strike killed 9 people, including 4 children.")
    assert toll is not None and toll.best == 9


def test_restated_toll_is_not_counted_twice(nlp: NlpPipeline) -> None:
    toll = _toll(nlp, "A car bomb kills 30 in the capital as a car bomb killed 30 people near a mosque")
    assert toll is not None and toll.best == 30


@pytest.mark.parametrize("text", [
    "Some 3,500 inmates escaped after the prison was stormed.",
    "The army deployed 2,000 troops to the province.",
    "The detainees, 40 of whom surrendered, were moved.",
    "The town of 50,000 people was shelled.",
    "A 25-year-old man was arrested 10 km from the border.",
    "On 12 March 2022, protesters marched through the city.",
    "The war that began in 2011 has not ended.",
    "The war has killed more than 300,000 people since it began.",
    "Fighting has killed 1,200 civilians since January.",
])
def test_numbers_that_are_not_deaths(nlp: NlpPipeline, text: str) -> None:
    assert _toll(nlp, text) is None


def test_attackers_are_not_victims(nlp: NlpPipeline) -> None:
    toll = _toll(nlp, "A man was shot dead by two armed men on a motorcycle.")
    assert toll is not None and toll.best == 1


def test_other_kinds(nlp: NlpPipeline) -> None:
    doc = nlp.parse("Militants wounded 7 civilians and abducted 3 aid workers; police arrested 5 suspects.")
    found = [c for s in doc.sents for c in find_casualties(s)]
    assert total(found, "injured") == Count.exact(7)
    assert total(found, "abducted") == Count.exact(3)
    assert total(found, "arrested") == Count.exact(5)
    assert total(found, "killed") is None


def test_a_number_sharing_the_passive_of_the_clause_before_is_a_victim(nlp: NlpPipeline) -> None:
    text = "Nine traders were killed and twelve wounded in the blast."
    assert _toll(nlp, text) == Count.exact(9)
    assert _toll(nlp, text, "injured") == Count.exact(12)
    # with an object the number is the subject of an active clause: the attackers
    assert _toll(nlp, "Two soldiers were killed and three gunmen wounded a guard.", "injured") == Count.exact(1)
