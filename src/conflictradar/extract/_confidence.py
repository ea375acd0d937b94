"""Confidence of an event: a logistic mapping from extraction features to the probability that the event's
sub-type is right (that it is the kind of event the report is about).

The coefficients are a logistic regression (Newton's method, small ridge) fitted on development data: one
row per extracted event (features above), label 1 when its sub-type equals the report's gold sub-type (ACLED
2022 notes, every third one, and CASE 2021 snippets; 5,254 events, 76 % positive). Only the fitted numbers
are shipped. On that data the mapping is calibrated: events given 0.6-0.8 were right 70 % of the time,
0.8-1.0: 87 %, 0.4-0.6: 50 %.
"""

from __future__ import annotations

import math

#: Logistic-regression coefficients: intercept and one weight per feature.
COEFFICIENTS: dict[str, float] = {
    "intercept": -0.759,
    "lead": 0.838,  # the event is in the report's first sentence
    "sent_index": -0.115,  # per sentence further down (capped at 10)
    "ordinal": -1.73,  # per earlier event in the same sentence
    "specific": 0.149,  # the trigger names the kind of event, not only that people died
    "actor": -0.216,  # a named actor (generic sub-types such as protests rarely name one)
    "toll": -0.055,
    "dated": 0.669,  # the sentence (or the report before it) gives a date
    "historical": -0.733,
    "priority": 0.02,  # trigger priority (specific weapons rank above generic violence)
}


def confidence(*, sent_index: int, ordinal: int, specific: bool, actor: bool, toll: bool, dated: bool,
               historical: bool, priority: int) -> float:
    c = COEFFICIENTS
    z = (c["intercept"] + c["lead"] * (sent_index == 0) + c["sent_index"] * min(sent_index, 10)
         + c["ordinal"] * ordinal + c["specific"] * specific + c["actor"] * actor + c["toll"] * toll
         + c["dated"] * dated + c["historical"] * historical + c["priority"] * priority)
    return round(1 / (1 + math.exp(-z)), 4)
