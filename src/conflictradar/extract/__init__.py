"""Stage 3, extract: an article and its parsed ``Doc`` in, ``Event`` records out (location still empty).

The extractor reads each sentence, finds event triggers (lexicon phrases over lemmas), then reads the
grammar around them for actors, tolls and the date. Its choices are constructor arguments; its word
lists live in ``extract/data``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from spacy.tokens import Doc, Span

from .. import __version__
from ..schema import Actor, Article, Count, Event, Evidence, event_type_of, make_event_id
from ..schema import Span as EvidenceSpan
from ._actors import find_actors, pick_actors
from ._casualties import find_casualties, total
from ._dates import resolve_date
from ._lexicon import Trigger, triggers

__all__ = ["EXTRACTOR_NAME", "EventExtractor"]

EXTRACTOR_NAME = f"conflictradar-rules/{__version__}"

#: Events dated further back than this before publication are background, not news.
HISTORICAL_AFTER = timedelta(days=60)


@dataclass(frozen=True)
class TriggerHit:
    trigger: Trigger
    start: int
    end: int


def _find_trigger(sent: Span) -> TriggerHit | None:
    """The highest-priority trigger phrase in the sentence (matched on lemmas, then on lower-case words)."""
    lemmas = [t.lemma_.lower() for t in sent]
    lowers = [t.lower_ for t in sent]
    best: TriggerHit | None = None
    for trig in triggers():
        n = len(trig.words)
        for i in range(len(lemmas) - n + 1):
            if tuple(lemmas[i : i + n]) == trig.words or tuple(lowers[i : i + n]) == trig.words:
                if best is None or trig.priority > best.trigger.priority:
                    first, last = sent[i], sent[i + n - 1]
                    best = TriggerHit(trig, first.idx, last.idx + len(last.text))
                break
    return best


class EventExtractor:
    """Rule-based event extraction over a spaCy parse.

    Args:
        historical_after: events dated further than this before publication are flagged ``historical``.
        keep_historical: when False, historical events are dropped instead of flagged.
    """

    name = EXTRACTOR_NAME

    def __init__(self, historical_after: timedelta = HISTORICAL_AFTER, keep_historical: bool = True) -> None:
        self.historical_after = historical_after
        self.keep_historical = keep_historical

    def extract(self, article: Article, doc: Doc) -> list[Event]:
        published = article.published or date.today()
        events: list[Event] = []
        for sent in doc.sents:
            event = self._event_from_sentence(article, sent, published)
            if event is not None and (self.keep_historical or not event.historical):
                events.append(event)
        return events

    def _event_from_sentence(self, article: Article, sent: Span, published: date) -> Event | None:
        hit = _find_trigger(sent)
        if hit is None:
            return None
        sub = hit.trigger.sub_event_type
        casualties = find_casualties(sent)
        killed = total(casualties, "killed")
        mentions = find_actors(sent)
        actor1, actor2 = pick_actors(mentions)
        when = resolve_date(sent.text, published)
        spans = [EvidenceSpan("trigger", hit.start, hit.end, article.text[hit.start : hit.end])]
        for label, mention in (("actor1", actor1), ("actor2", actor2)):
            if mention is not None:
                spans.append(EvidenceSpan(label, mention.start, mention.end, article.text[mention.start : mention.end]))
        if when.from_text:
            s, e = sent.start_char + when.start, sent.start_char + when.end
            spans.append(EvidenceSpan("date", s, e, article.text[s:e]))
        for c in casualties:
            spans.append(EvidenceSpan(c.kind, c.start, c.end, article.text[c.start : c.end]))
        spans.sort(key=lambda s: (s.start, s.label))
        civilian_targeting = actor2 is not None and actor2.actor.type == "Civilians"
        confidence = 0.4 + 0.2 * (killed is not None) + 0.2 * (actor1 is not None) + 0.1 * when.from_text
        return Event(
            event_id=make_event_id(article.id, sent.start_char, sent.end_char),
            article_id=article.id,
            event_type=event_type_of(sub),
            sub_event_type=sub,
            event_date=when.value,
            date_precision=when.precision,
            actor1=actor1.actor if actor1 else None,
            actor2=actor2.actor if actor2 else None,
            fatalities=killed or Count.zero(),
            injured=_best(total(casualties, "injured")),
            abducted=_best(total(casualties, "abducted")),
            arrested=_best(total(casualties, "arrested")),
            civilian_targeting=civilian_targeting,
            historical=published - when.value > self.historical_after,
            confidence=min(confidence, 1.0),
            evidence=Evidence(sent.text, sent.start_char, sent.end_char, tuple(spans)),
            extractor=self.name,
        )


def _best(count: Count | None) -> int | None:
    return None if count is None else count.best


__all__ += ["Actor"]
