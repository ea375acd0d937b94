"""Stage 3, extract: an article and its parsed ``Doc`` in, ``Event`` records out (location still empty).

Per sentence the extractor finds clause-level triggers (lexicon phrases over lemmas that the grammar says
happened: not negated, modal, conditional, planned or threatened), one event per clause, then reads the
grammar around each for actors (agent vs patient), tolls and the date. Across the article it:

- lets a sentence that only adds casualties ("Two soldiers were killed.") or gives the toll of an event
  already named update that event instead of starting a new one;
- dates a sentence without a date cue by the last date the report gave (else the publication date);
- refines sub-types from the grammar: an attack on armed men or military posts is an armed clash, an
  attack by a crowd of locals is mob violence, and a protest becomes a violent demonstration, a protest
  with intervention or excessive force from what the report says happened at it;
- ranks events: the confidence favours the report's lead event (first sentence, specific trigger, named
  actor, a toll, a date), with coefficients calibrated on development data (see ``_confidence.py``).

The primary event of an article (the highest confidence) carries the article's main toll: the largest
toll any current (not historical) event of the article reports, since news leads give the total and later
paragraphs restate or break it down (summing them would count people twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from spacy.tokens import Doc, Span

from .. import __version__
from ..schema import Actor, Article, Count, Event, Evidence, event_type_of, make_event_id
from ..schema import Span as EvidenceSpan
from ._actors import ActorMention, default_actors, find_actors, pick_actors, qualify_actor
from ._casualties import CASUALTY_LEMMAS, Casualty, find_casualties, total
from ._confidence import confidence
from ._dates import ResolvedDate, resolve_date
from ._lexicon import Cue, countries_by_actor
from ._lexicon import cue_lemmas as _trigger_cue_lemmas
from ._subtypes import refine_protest, refine_territory, refine_violence
from ._triggers import TriggerHit, best_hit, clause_of, find_triggers, group_by_clause

__all__ = ["EXTRACTOR_NAME", "Actor", "EventExtractor", "actor_countries", "cue_lemmas", "qualify_actor"]

EXTRACTOR_NAME = f"conflictradar-rules/{__version__}"

def actor_countries(name: str) -> frozenset[str]:
    """The countries a named group fights in, from the actor dictionary (empty when it does not say)."""
    return countries_by_actor().get(name, frozenset())


#: Events dated further back than this before publication are background, not news.
HISTORICAL_AFTER = timedelta(days=60)
#: At most this many events are read from one sentence.
MAX_EVENTS_PER_SENTENCE = 3


@dataclass
class _Draft:
    """One event being assembled; tolls may still grow from later sentences that elaborate it."""

    sent: Span
    sent_index: int
    ordinal: int
    hits: list[TriggerHit]
    sub_event_type: str
    casualties: list[Casualty]
    actor1: ActorMention | None
    actor2: ActorMention | None
    when: ResolvedDate
    date_offset: int  # where the date cue's offsets start (-1: inherited or none)
    mentions: list[ActorMention] = field(default_factory=list)
    elaborations: list[Casualty] = field(default_factory=list)

    @property
    def trigger(self) -> TriggerHit:
        return best_hit(self.hits)

    def toll(self, kind: str) -> Count | None:
        own, more = total(self.casualties, kind), total(self.elaborations, kind)
        if own is None or (more is not None and more.best > own.best):
            return more
        return own


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
        sents = list(doc.sents)
        drafts = self._drafts(sents, published)
        for draft in drafts:
            sub = refine_violence(draft.sub_event_type, draft.hits, draft.actor1, draft.casualties)
            sub = refine_protest(sub, sents, draft.sent_index)
            draft.sub_event_type = refine_territory(sub, draft.actor1, draft.sent)
        events = [self._event(article, d, published) for d in _without_told_headlines(drafts)]
        events = _main_toll_on_primary(events)
        return [e for e in events if self.keep_historical or not e.historical]

    def _drafts(self, sents: list[Span], published: date) -> list[_Draft]:
        drafts: list[_Draft] = []
        context: tuple[ResolvedDate, int] | None = None
        for index, sent in enumerate(sents):
            when = resolve_date(sent.text, published)
            if when.from_text:
                context = (when, sent.start_char)
            dated = (when, sent.start_char) if when.from_text else context or (when, -1)
            casualties = find_casualties(sent)
            groups = group_by_clause(find_triggers(sent))
            if not groups and not (drafts and casualties):
                continue
            mentions = find_actors(sent)
            if drafts and _elaborates(groups, mentions, casualties):
                drafts[-1].elaborations.extend(casualties)
                continue
            for ordinal, group in enumerate(groups[:MAX_EVENTS_PER_SENTENCE]):
                drafts.append(_draft(sent, index, ordinal, group, groups, casualties, mentions, dated))
        return drafts

    def _event(self, article: Article, d: _Draft, published: date) -> Event:
        when = d.when
        value = min(when.value, published)
        killed = d.toll("killed")
        actor1, actor2 = _crowd_first(d.sub_event_type, d.actor1, d.actor2, d.mentions)
        default1, default2 = default_actors(d.sub_event_type)
        historical = published - value > self.historical_after
        specific = not (d.trigger.is_generic and d.sub_event_type == "Attack")
        conf = confidence(sent_index=d.sent_index, ordinal=d.ordinal, specific=specific,
                          actor=actor1 is not None, toll=killed is not None and killed.best > 0,
                          dated=d.date_offset >= 0, historical=historical, priority=d.trigger.trigger.priority)
        sub = d.sub_event_type
        return Event(
            event_id=make_event_id(article.id, d.sent.start_char, d.sent.end_char, d.ordinal),
            article_id=article.id,
            event_type=event_type_of(sub),
            sub_event_type=sub,
            event_date=value,
            date_precision=when.precision,
            actor1=actor1.actor if actor1 else default1,
            actor2=actor2.actor if actor2 else default2,
            fatalities=killed or Count.zero(),
            injured=_best(d.toll("injured")),
            abducted=_best(d.toll("abducted")),
            arrested=_best(d.toll("arrested")),
            civilian_targeting=_targets_civilians(sub, actor2, default2),
            historical=historical,
            confidence=conf,
            evidence=Evidence(d.sent.text, d.sent.start_char, d.sent.end_char, _spans(article, d)),
            extractor=self.name,
        )


def cue_lemmas() -> tuple[Cue, ...]:
    """Lemma cues without one of which a sentence yields nothing here (triggers, protest cues, casualty words);
    a cue is met when each of its sets shares a lemma with the sentence. The nlp prefilter inflects these."""
    casualties = sorted(frozenset().union(*CASUALTY_LEMMAS.values()))
    return _trigger_cue_lemmas() + tuple((frozenset({w}),) for w in casualties)


def _elaborates(groups: list[list[TriggerHit]], mentions: list[ActorMention], casualties: list[Casualty]) -> bool:
    """A sentence that only adds casualties to the event before it ("Two soldiers were killed.")."""
    if not groups:
        return bool(casualties)
    generic = all(h.is_generic for g in groups for h in g)
    return generic and not any(m.role == "agent" for m in mentions)


def _draft(sent: Span, index: int, ordinal: int, group: list[TriggerHit], groups: list[list[TriggerHit]],
           casualties: list[Casualty], mentions: list[ActorMention], dated: tuple[ResolvedDate, int]) -> _Draft:
    own = _casualties_of(group, groups, casualties)
    actor1, actor2 = pick_actors(mentions)
    when, offset = dated
    return _Draft(sent, index, ordinal, group, best_hit(group).sub_event_type, own, actor1, actor2, when,
                  offset if when.from_text else -1, mentions)


def _casualties_of(group: list[TriggerHit], groups: list[list[TriggerHit]],
                   casualties: list[Casualty]) -> list[Casualty]:
    """Tolls governed by this group's clause; tolls of clauses without a trigger go to the first group."""
    if len(groups) == 1:
        return list(casualties)
    clauses = {h.clause.i for h in group}
    all_clauses = {h.clause.i for g in groups for h in g}
    first = group is groups[0]
    mine = []
    for c in casualties:
        clause = clause_of(c.token).i
        if clause in clauses or (first and clause not in all_clauses):
            mine.append(c)
    return mine


#: How many sentences after a headline its story is looked for.
HEADLINE_REACH = 3
_SENTENCE_END = (".", "!", "?", '."', ".\u201d")


def _headline_end(sent: Span) -> int | None:
    """Where a headline at the start of the sentence ends: a first line with no full stop, followed by the
    lead ("Drone strike kills militants in Mali\n\nBAMAKO - ..."); None when the sentence opens with none."""
    text = sent.text
    line_end = text.find("\n")
    if line_end <= 0 or text[:line_end].rstrip().endswith(_SENTENCE_END) or len(text[:line_end].split()) > 20:
        return None
    return sent.start_char + line_end


def _without_told_headlines(drafts: list[_Draft]) -> list[_Draft]:
    """A headline announces the event its lead then tells: a draft read from a headline is dropped when a draft
    of the same event type follows within ``HEADLINE_REACH`` sentences (the lead's has the date, place, toll)."""
    kept: list[_Draft] = []
    for index, draft in enumerate(drafts):
        end = _headline_end(draft.sent)
        told = end is not None and all(h.start < end for h in draft.hits) and any(
            later.sent_index - draft.sent_index <= HEADLINE_REACH and later.sent is not draft.sent
            and event_type_of(later.sub_event_type) == event_type_of(draft.sub_event_type)
            for later in drafts[index + 1:])
        if not told:
            kept.append(draft)
    return kept


def _main_toll_on_primary(events: list[Event]) -> list[Event]:
    """The highest-confidence event carries the largest toll any current event of the article reports."""
    current = [e for e in events if not e.historical]
    if len(current) < 2:
        return events
    primary = max(current, key=lambda e: e.confidence)
    largest = max(current, key=lambda e: e.fatalities.best)
    if largest.fatalities.best <= primary.fatalities.best:
        return events
    return [replace(e, fatalities=largest.fatalities) if e is primary else e for e in events]


def _crowd_first(sub: str, actor1: ActorMention | None, actor2: ActorMention | None,
                 mentions: Sequence[ActorMention] = ()) -> tuple[ActorMention | None, ActorMention | None]:
    """In protests and riots the crowd is actor 1 (ACLED's convention); the police they met is actor 2. People
    named as civilians ("residents", "workers", "students") who take part in a protest or riot are its crowd."""
    event_type = event_type_of(sub)
    if event_type not in {"Protests", "Riots"}:
        return actor1, actor2
    crowd = "Protesters" if event_type == "Protests" else "Rioters"
    candidates = [m for m in (actor1, actor2) if m is not None]
    first = next((m for m in candidates if m.actor.type == crowd), None)
    if first is None:
        first = next((replace(m, actor=Actor(crowd, crowd)) for m in mentions
                      if m.actor.type == "Civilians" and m.role in {"agent", "other"}), None)
        candidates = [m for m in candidates if first is None or (m.start, m.end) != (first.start, first.end)]
    unwanted = {"Protesters", "Civilians"} if event_type == "Protests" else {"Protesters"}
    other = next((m for m in candidates if m is not first and m.actor.type not in unwanted), None)
    return first, other


def _targets_civilians(sub: str, actor2: ActorMention | None, default2: Actor | None) -> bool:
    if event_type_of(sub) not in {"Violence against civilians", "Explosions/Remote violence"}:
        return False
    target = actor2.actor if actor2 else default2
    return target is not None and target.type == "Civilians"


def _spans(article: Article, d: _Draft) -> tuple[EvidenceSpan, ...]:
    def span(label: str, start: int, end: int) -> EvidenceSpan:
        return EvidenceSpan(label, start, end, article.text[start:end])

    spans = [span("trigger", h.start, h.end) for h in d.hits]
    for label, mention in (("actor1", d.actor1), ("actor2", d.actor2)):
        if mention is not None:
            spans.append(span(label, mention.start, mention.end))
    if d.date_offset >= 0:
        spans.append(span("date", d.date_offset + d.when.start, d.date_offset + d.when.end))
    spans.extend(span(c.kind, c.start, c.end) for c in d.casualties + d.elaborations)
    return tuple(sorted(set(spans), key=lambda s: (s.start, s.end, s.label)))


def _best(count: Count | None) -> int | None:
    return None if count is None else count.best
