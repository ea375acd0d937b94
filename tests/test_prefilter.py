"""The fast first pass (nlp.prefilter): which sentences get the full parse, and that nothing else changes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictradar.app import ConflictRadar
from conflictradar.cli import app
from conflictradar.extract import EventExtractor
from conflictradar.nlp import NlpPipeline
from conflictradar.nlp.prefilter import SentenceSelector, inflections, rule_sentences, sentence_choices
from conflictradar.schema import Article
from conflictradar.settings import DEFAULT_MODEL, Settings

# Written for these tests: a lead with a dateline, filler, an elaborating toll, a date carried over, a protest.
ARTICLE = (
    "MAIDUGURI, Nigeria - Insurgents ambushed a military convoy near Bama on Tuesday, a local official said.  "
    "The road is the main route used by traders travelling to the border markets.\n\n"
    "Four soldiers were shot dead and two others were wounded, the official added. "
    "Farmers in the area have complained for years about poor harvests and rising prices. "
    "On 3 March, troops fought gunmen in the hills outside Gwoza for several hours. "
    "The weather in Borno State has been unusually dry this season. "
    "In Kano, hundreds of students marched to the governor's office. "
    "Police fired tear gas to break up the crowd. "
    "Teachers said the schools would reopen next week."
)
PUBLISHED = date(2024, 3, 8)


@pytest.fixture(scope="module")
def fast() -> NlpPipeline:
    return NlpPipeline(DEFAULT_MODEL, prefilter=True)


@pytest.fixture(scope="module")
def full() -> NlpPipeline:
    return NlpPipeline(DEFAULT_MODEL, prefilter=False)


def _choices(nlp: NlpPipeline, text: str) -> dict[str, bool]:
    doc = nlp.nlp.make_doc(text)
    return {doc[a:b].text.strip(): keep for a, b, keep in sentence_choices(doc, nlp.selector)}


def test_trigger_sentences_and_the_lead_are_kept_and_filler_is_skipped(fast: NlpPipeline) -> None:
    choices = _choices(fast, ARTICLE)
    assert len(choices) == 9
    kept = {text.split()[0] for text, keep in choices.items() if keep}
    # the lead, a toll that elaborates it (inflected "shot", "wounded"), an irregular past ("fought"),
    # a protest ("marched") and the protest context the sub-type refinement reads ("tear gas").
    assert kept == {"MAIDUGURI,", "Four", "On", "In", "Police"}
    skipped = {text.split()[0] for text, keep in choices.items() if not keep}
    assert skipped == {"The", "Farmers", "Teachers"}


def test_verb_object_cues_need_both_parts(fast: NlpPipeline) -> None:
    choices = _choices(fast, "Nothing happened. Villagers blocked the highway for a day. Officials blocked a plan.")
    assert list(choices.values()) == [True, True, False]


def test_inflections_cover_regular_doubled_and_irregular_forms(fast: NlpPipeline) -> None:
    selector = fast.selector
    pairs = [("fought", "fight"),
             ("stabbed", "stab"), ("clashes", "clash"), ("seized", "seize"), ("injuring", "injure")]
    for form, lemma in pairs:
        assert lemma in selector.lemmas_of.get(form, frozenset()), form
    assert inflections("stab", {}) >= {"stabs", "stabbed", "stabbing"}
    assert inflections("militiaman", {}) >= {"militiamen"} and inflections("rally", {}) >= {"rallies", "rallied"}
    assert "weather" not in selector.lemmas_of


def test_whitespace_joins_the_sentence_before_it_as_the_parser_does(full: NlpPipeline) -> None:
    text = "Gunmen attacked a bus.  Nobody knew why.\n\nThe end"
    doc = full.nlp.make_doc(text)
    rule = [(doc[a].idx, doc[b - 1].idx + len(doc[b - 1].text_with_ws)) for a, b in rule_sentences(doc)]
    parsed = [(s.start_char, s.end_char + len(s[-1].whitespace_)) for s in full.parse(text).sents]
    assert rule == parsed == [(0, 24), (24, 42), (42, 49)]


def test_the_doc_keeps_the_text_and_sentences_of_a_full_parse(fast: NlpPipeline, full: NlpPipeline) -> None:
    doc, ref = fast.parse(ARTICLE), full.parse(ARTICLE)
    assert doc.text == ARTICLE
    assert [(s.start_char, s.end_char) for s in doc.sents] == [(s.start_char, s.end_char) for s in ref.sents]
    skipped = next(s for s in doc.sents if s.text.startswith("Farmers"))
    assert all(t.dep_ in {"dep", "ROOT"} and not t.lemma_ for t in skipped)  # not parsed
    assert any(t.dep_ == "nsubj" for t in next(s for s in doc.sents if s.text.startswith("Four")))
    # a parsed sentence carries exactly a full parse's annotations
    kano = next(s for s in doc.sents if s.text.startswith("In Kano"))
    ref_kano = next(s for s in ref.sents if s.text.startswith("In Kano"))
    assert [(t.tag_, t.lemma_, t.dep_, t.head.i, t.ent_type_) for t in kano] == [
        (t.tag_, t.lemma_, t.dep_, t.head.i, t.ent_type_) for t in ref_kano]
    # by default the skipped filler gets no entities ("Borno State"); geo's gazetteer matcher reads it
    weather = next(s for s in doc.sents if s.text.startswith("The weather"))
    assert not weather.ents and any(e.text == "Kano" for e in doc.ents)


def test_context_entities_gives_skipped_sentences_a_full_parses_entities(full: NlpPipeline) -> None:
    rich = NlpPipeline(DEFAULT_MODEL, prefilter=True, context_entities=True)
    doc, ref = rich.parse(ARTICLE), full.parse(ARTICLE)
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [
        (e.start_char, e.end_char, e.label_) for e in ref.ents]
    assert any(e.text.startswith("Borno") for e in doc.ents)


def test_geo_still_sees_places_named_in_skipped_sentences(fast: NlpPipeline) -> None:
    from conflictradar.geo import Geocoder

    doc = fast.parse(ARTICLE)
    weather = next(s for s in doc.sents if s.text.startswith("The weather"))
    names = {t.text for t in Geocoder().geoparse(doc) if weather.start_char <= t.start < weather.end_char}
    assert not weather.ents and names == {"Borno"}  # the name before its type word ("State")


def test_events_are_identical_with_and_without_the_prefilter(fast: NlpPipeline, full: NlpPipeline) -> None:
    article = Article(id="prefilter-1", text=ARTICLE, published=PUBLISHED)
    extractor = EventExtractor()
    with_filter = extractor.extract(article, fast.parse(ARTICLE))
    without = extractor.extract(article, full.parse(ARTICLE))
    assert [e.to_dict() for e in with_filter] == [e.to_dict() for e in without]
    subs = [e.sub_event_type for e in with_filter]
    # the protest is refined by the next sentence's cue ("tear gas"), which the prefilter therefore keeps
    assert subs == ["Armed clash", "Armed clash", "Protest with intervention", "Protest with intervention"]
    lead = with_filter[0]
    assert (lead.fatalities.best, lead.injured) == (4, 2)  # the toll sentence after the filler elaborates it
    assert with_filter[2].event_date == date(2024, 3, 3)  # date carried over a skipped sentence


def test_batches_give_the_same_docs_as_one_by_one(fast: NlpPipeline) -> None:
    texts = [ARTICLE, "Quiet day. Nothing to report.", "", ARTICLE[:120]]
    batched = [d.to_bytes() for d in fast.parse_many(texts)]
    single = [fast.parse(t).to_bytes() for t in texts]
    assert batched == single
    assert [d.text for d in fast.parse_many(texts)] == texts


def test_the_setting_turns_it_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONFLICTRADAR_PREFILTER", "0")
    monkeypatch.setenv("CONFLICTRADAR_PREFILTER_ENTITIES", "on")
    settings = Settings.from_env()
    assert (settings.prefilter, settings.prefilter_entities) == (False, True)
    monkeypatch.delenv("CONFLICTRADAR_PREFILTER")
    monkeypatch.delenv("CONFLICTRADAR_PREFILTER_ENTITIES")
    settings = Settings.from_env()
    assert (settings.prefilter, settings.prefilter_entities) == (True, False)
    core = ConflictRadar(replace(settings, prefilter=False))
    assert core.nlp.prefilter is False and ConflictRadar(settings).nlp.prefilter is True


def test_the_cli_flag_turns_it_off(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a1", "text": ARTICLE, "published": PUBLISHED.isoformat()}) + "\n")
    outputs = []
    for flag in ("--prefilter", "--no-prefilter"):
        target = tmp_path / f"out{flag}.jsonl"
        result = CliRunner().invoke(app, ["extract", str(source), "-o", str(target), flag])
        assert result.exit_code == 0, result.output
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") == 4


def test_selector_from_custom_cues(full: NlpPipeline) -> None:
    selector = SentenceSelector.for_model(full.nlp, [(frozenset({"riot"}),)])
    assert selector.wants(["rioting", "erupted"]) and not selector.wants(["quiet", "streets"])
