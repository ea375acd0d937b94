"""Date expressions resolved against the publication date, with their precision; never in the future."""

from __future__ import annotations

from datetime import date

import pytest

from conflictradar.extract._dates import resolve_date

PUB = date(2024, 5, 1)  # a Wednesday


@pytest.mark.parametrize(("text", "expected", "precision"), [
    ("Gunmen attacked the village on Tuesday.", date(2024, 4, 30), 1),
    ("The blast happened late Monday.", date(2024, 4, 29), 1),
    ("Shelling resumed yesterday.", date(2024, 4, 30), 1),
    ("On 23 February 2024, rebels seized the town.", date(2024, 2, 23), 1),
    ("Fighting broke out on March 3.", date(2024, 3, 3), 1),
    ("Protests began in December.", date(2023, 12, 15), 3),
    ("The raid took place earlier this month.", date(2024, 5, 1), 3),
    ("The base was overrun three years ago.", date(2021, 7, 1), 4),
    ("Troops clashed with rebels last week.", date(2024, 4, 24), 2),
])
def test_resolves(text: str, expected: date, precision: int) -> None:
    found = resolve_date(text, PUB)
    assert (found.value, found.precision) == (expected, precision)
    assert found.from_text


def test_no_cue_takes_publication_date_at_low_precision() -> None:
    found = resolve_date("Militants attacked a convoy.", PUB)
    assert found.value == PUB and found.precision > 1 and not found.from_text


def test_a_date_without_year_is_never_in_the_future() -> None:
    found = resolve_date("The ceasefire collapsed on 20 December.", PUB)
    assert found.value == date(2023, 12, 20)


def test_explicit_future_dates_are_ignored() -> None:
    found = resolve_date("Elections are due on 5 June 2024.", PUB)
    assert found.value <= PUB
