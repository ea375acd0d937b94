"""The event extractor on invented wire-style sentences: types, clauses, actors, modality, tolls, dates."""

from __future__ import annotations

from datetime import date

import pytest

from conflictradar.extract import EXTRACTOR_NAME, EventExtractor, qualify_actor
from conflictradar.nlp import NlpPipeline
from conflictradar.schema import Actor, Event, dumps
from conflictradar.testing import make_article

PUB = "2024-05-01"


def _events(nlp: NlpPipeline, text: str, published: str | None = PUB) -> list[Event]:
    article = make_article(text, published)
    return EventExtractor().extract(article, nlp.parse(text))


def _primary(nlp: NlpPipeline, text: str) -> Event:
    events = _events(nlp, text)
    assert events, f"no event in {text!r}"
    return max(events, key=lambda e: e.confidence)


@pytest.mark.parametrize(("text", "sub"), [
    ("Government troops clashed with rebels near the river crossing on Sunday.", "Armed clash"),
    ("Fighter jets bombed a fuel depot outside the city, residents said.", "Air/drone strike"),
    ("Artillery shells landed on the northern district overnight.", "Shelling/artillery/missile attack"),
    ("A roadside bomb exploded next to a police pickup truck.", "Remote explosive/landmine/IED"),
    ("A suicide bomber blew himself up at the entrance of the ministry.", "Suicide bomb"),
    ("An attacker threw a hand grenade into the crowded bus station.", "Grenade"),
    ("Gunmen kidnapped four engineers from a construction site.", "Abduction/forced disappearance"),
    ("Unidentified gunmen shot dead a shopkeeper in the market.", "Attack"),
    ("Hundreds of teachers demonstrated outside parliament over unpaid wages.", "Peaceful protest"),
    ("Police fired tear gas to disperse students who were demonstrating in the capital.",
     "Protest with intervention"),
    ("Protesters hurled stones at police and set tyres ablaze during the march.", "Violent demonstration"),
    ("A crowd of villagers lynched a suspected thief.", "Mob violence"),
    ("Police arrested eleven opposition activists at their homes.", "Arrests"),
    ("Army engineers defused a bomb planted under a bridge.", "Disrupted weapons use"),
    ("The two factions signed a ceasefire agreement in the capital.", "Agreement"),
    ("Militants looted shops and burned houses in the village.", "Looting/property destruction"),
    ("The army recaptured the town from the insurgents after a week of fighting.", "Government regains territory"),
    ("Insurgents attacked an army checkpoint on the highway.", "Armed clash"),
    ("Soldiers set up a new military post on the hill overlooking the valley.", "Headquarters or base established"),
    # Protest forms beyond the word "protest": a strike, a sit-in, a motorcade, blocking or occupying a place.
    ("Hundreds of nurses held a strike outside the regional hospital.", "Peaceful protest"),
    ("Farmers held a sit-in outside the governor's office.", "Peaceful protest"),
    ("Taxi drivers carried out a motorcade through the city centre to demand lower fuel prices.", "Peaceful protest"),
    ("Residents closed the main road into town to denounce the water cuts.", "Peaceful protest"),
    ("Students occupied the university campus to oppose the new fees.", "Peaceful protest"),
    ("Thousands of students took to the streets of the capital on Friday.", "Peaceful protest"),
    # The lemmatizer reads "raped" as "rap": the surface form still names the trigger.
    ("A soldier raped a woman in the village.", "Sexual violence"),
    # A gap inside a phrase ("set ... on fire").
    ("Militiamen set seven houses on fire in the village.", "Looting/property destruction"),
    ("Unknown persons smashed the windows of the party office.", "Looting/property destruction"),
    # The agent of a passive verb is one of its objects ("was hit by a mine").
    ("A farmer was hit by an anti-tank mine on a farm road.", "Remote explosive/landmine/IED"),
    ("Militants detonated a mobile phone mast outside the town.", "Remote explosive/landmine/IED"),
    ("Gunmen fired shots at a taxi driver on the ring road.", "Attack"),
    ("A police officer beat a journalist outside the court.", "Attack"),
])
def test_sub_event_types(nlp: NlpPipeline, text: str, sub: str) -> None:
    assert _primary(nlp, text).sub_event_type == sub


@pytest.mark.parametrize("text", [
    "The supply road to the town was cut off by the army.",  # a phrasal verb of its own: a siege, not a blockade
    "The highway was blocked by police after the accident.",  # blocked by the authorities: no protest
    "The company fired its chief executive on Monday.",  # 'fire' names an attack only at a target or with shots
])
def test_verb_rules_read_particles_agents_and_objects(nlp: NlpPipeline, text: str) -> None:
    assert "Peaceful protest" not in {e.sub_event_type for e in _events(nlp, text)}
    assert "Attack" not in {e.sub_event_type for e in _events(nlp, text)}


def test_lexicon_forms_and_phrases() -> None:
    from conflictradar.extract._lexicon import GAP, surface_lemmas, triggers

    forms = surface_lemmas()
    assert "rape" in forms["raped"] and "protest" in forms["protested"]
    assert "grades" not in forms  # not "grad" -> "grades"
    assert "bomb" not in forms.get("bombing", frozenset())  # an -ing noun is a word of its own
    phrases = {t.words for t in triggers()}
    assert ("set", GAP, "on", "fire") in phrases and ("sit", "-", "in") in phrases


def test_month_names_are_not_triggers(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "On 3 March 2024, rebels clashed with soldiers near the airport.")
    assert event.sub_event_type == "Armed clash"


def test_two_clauses_two_events(nlp: NlpPipeline) -> None:
    events = _events(nlp, "The gunmen killed five fighters at the camp and abducted nine workers on Monday.")
    subs = [e.sub_event_type for e in events]
    assert len(events) == 2 and "Abduction/forced disappearance" in subs
    assert len({e.event_id for e in events}) == 2
    abduction = next(e for e in events if e.sub_event_type == "Abduction/forced disappearance")
    assert abduction.abducted == 9 and abduction.fatalities.best == 0


def test_casualty_sentence_updates_the_event_before(nlp: NlpPipeline) -> None:
    events = _events(nlp, "Rebels ambushed an army convoy near the border on Friday. Six soldiers were killed.")
    assert len(events) == 1
    assert events[0].sub_event_type == "Armed clash" and events[0].fatalities.best == 6


def test_an_event_noun_in_a_definite_time_phrase_elaborates_the_event_before(nlp: NlpPipeline) -> None:
    events = _events(nlp, "Gunmen stormed a village market near the river crossing on Monday. Nine traders were "
                          "killed and twelve wounded during the attack, a doctor said. The market had been busy "
                          "before the fighting.")
    assert len(events) == 1
    assert events[0].fatalities.best == 9
    # Without "the" the phrase tells of fighting the report has not named yet: a new event.
    later = _events(nlp, "Gunmen stormed a village market on Monday. On Tuesday, two soldiers died amid heavy "
                         "fighting in the hills.")
    assert len(later) == 2


@pytest.mark.parametrize("text", [
    "Rebels did not attack the town, the governor said.",
    "The militia threatened to attack the camp if the talks failed.",
    "Officials fear that insurgents could bomb the bridge.",
    "The group plans to kidnap foreign workers, police warned.",
    "The earthquake killed 40 people in the mountain villages.",
])
def test_non_events_yield_nothing(nlp: NlpPipeline, text: str) -> None:
    assert _events(nlp, text) == []


def test_protest_grievance_is_not_an_event(nlp: NlpPipeline) -> None:
    events = _events(nlp, "Students protested against the killing of a classmate in the capital.")
    assert [e.sub_event_type for e in events] == ["Peaceful protest"]
    assert events[0].fatalities.best == 0


def test_actors_from_grammar(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "Islamic State militants attacked Syrian Democratic Forces positions near the dam.")
    assert event.actor1 == Actor("Islamic State", "Rebel group")
    assert event.actor2 is not None and event.actor2.name == "QSD: Syrian Democratic Forces"


def test_daesh_is_islamic_state(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "Daesh fighters stormed a police station in the town.")
    assert event.actor1 is not None and event.actor1.name == "Islamic State"


def test_passive_without_agent_names_the_unknown_actor(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "Four people were killed in a bombing at the bus station.")
    assert event.actor1 is not None and event.actor1.name == "Unidentified Armed Group"
    assert event.fatalities.best == 4


def test_protesters_are_the_protest_actor(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "Farmers gathered outside the ministry to demand higher prices.")
    assert event.event_type == "Protests" and event.actor1 is not None and event.actor1.type == "Protesters"


def test_qualify_actor_adds_the_country() -> None:
    assert qualify_actor(Actor("Military Forces", "State forces"), "Iraq") == Actor("Military Forces of Iraq",
                                                                                    "State forces")
    assert qualify_actor(Actor("Protesters", "Protesters"), "Kenya") == Actor("Protesters (Kenya)", "Protesters")
    assert qualify_actor(Actor("Islamic State", "Rebel group"), "Iraq") == Actor("Islamic State", "Rebel group")


def test_date_from_text_and_inherited(nlp: NlpPipeline) -> None:
    events = _events(nlp, "On 20 April 2024, troops clashed with rebels. Later, militants kidnapped a teacher.")
    assert [e.event_date for e in events] == [date(2024, 4, 20), date(2024, 4, 20)]
    assert events[0].date_precision == 1


def test_no_date_cue_takes_publication_date(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "Militants kidnapped two nurses from a clinic.")
    assert event.event_date == date(2024, 5, 1) and event.date_precision > 1


def test_background_history_is_flagged(nlp: NlpPipeline) -> None:
    events = _events(nlp, "Rebels attacked a police station on Monday. In 2015, militants had bombed the same town.")
    assert [e.historical for e in events] == [False, True]
    assert events[0].confidence > events[1].confidence


def test_primary_carries_the_main_toll(nlp: NlpPipeline) -> None:
    text = ("Air strikes killed 25 people in the province on Sunday, monitors said. "
            "In one village, a strike killed 8 people. Another raid killed 5 fighters.")
    primary = _primary(nlp, text)
    assert primary.fatalities.best == 25


def test_evidence_spans_point_into_the_article(nlp: NlpPipeline) -> None:
    text = "Fighting resumed. On Tuesday, gunmen killed 3 soldiers at a checkpoint."
    events = _events(nlp, text)
    assert events
    for event in events:
        assert text[event.evidence.start:event.evidence.end] == event.evidence.sentence
        for span in event.evidence.spans:
            assert text[span.start:span.end] == span.text
        labels = {s.label for s in event.evidence.spans}
        assert "trigger" in labels
    assert any({"killed", "date"} <= {s.label for s in e.evidence.spans} for e in events)


def test_confidence_is_a_probability_and_favours_the_lead(nlp: NlpPipeline) -> None:
    events = _events(nlp, "Troops clashed with rebels in the north. Separately, police arrested two suspects.")
    assert len(events) == 2 and all(0 < e.confidence < 1 for e in events)
    assert events[0].confidence > events[1].confidence


def test_output_is_deterministic(nlp: NlpPipeline) -> None:
    text = "Gunmen killed 4 villagers and burned houses on Saturday. Police arrested 2 suspects."
    first = [dumps(e.to_dict()) for e in _events(nlp, text)]
    second = [dumps(e.to_dict()) for e in _events(nlp, text)]
    assert first == second and first
    assert all(e.extractor == EXTRACTOR_NAME for e in _events(nlp, text))


def test_never_a_future_date(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "Rebels attacked the garrison on 30 December.")
    assert event.event_date <= date(2024, 5, 1)


@pytest.mark.parametrize(("text", "sub"), [
    ("Truck drivers blocked the main highway to demand lower fuel prices.", "Peaceful protest"),
    ("Police seized forty rifles and a rocket launcher at a farm.", "Disrupted weapons use"),
    ("Rebel fighters captured three villages north of the river.", "Non-state actor overtakes territory"),
    ("Government forces captured three villages north of the river.", "Government regains territory"),
    ("The rebels took control of the town after the army withdrew from it.", "Non-violent transfer of territory"),
    ("Rival student groups clashed outside the university library.", "Mob violence"),
    ("Police dispersed the crowd and beat protesters who clashed with officers, throwing stones.",
     "Violent demonstration"),
])
def test_grammar_decides_the_sub_type(nlp: NlpPipeline, text: str, sub: str) -> None:
    assert _primary(nlp, text).sub_event_type == sub


def test_crowd_is_actor1_in_protests(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "Police fired tear gas at protesters who marched to the presidential palace.")
    assert event.event_type == "Protests"
    assert event.actor1 is not None and event.actor1.type == "Protesters"
    assert event.actor2 is not None and event.actor2.name == "Police Forces"


def test_accidents_are_not_conflict(nlp: NlpPipeline) -> None:
    assert _events(nlp, "A gas explosion at a factory killed six workers after a pipeline leak.") == []
    assert _events(nlp, "Floods killed twelve people and destroyed hundreds of homes.") == []


@pytest.mark.parametrize("text", [
    "Gunmen stormed a market in the town, killing at least 14 people, police said.",
    "Attackers killed 9 villagers near the border, according to the army.",
    "Militants burned a clinic in the district, aid workers told reporters.",
    "Two checkpoints were shelled overnight, a police spokesman confirmed.",
])
def test_sources_are_not_actors(nlp: NlpPipeline, text: str) -> None:
    event = _primary(nlp, text)
    for actor in (event.actor1, event.actor2):
        assert actor is None or actor.name not in {"Police Forces", "Military Forces", "Protesters"}
    labels = {s.label: s.text for s in event.evidence.spans}
    assert labels.get("actor1", "") not in {"police", "army", "workers"}


def test_sayer_reporting_its_own_act_is_the_actor(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "The army said it killed 20 militants in an operation near the lake.")
    assert event.actor1 is not None and event.actor1.name == "Military Forces"


def test_claimed_attack_names_its_author(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "Al-Shabaab claimed responsibility for the attack that killed five soldiers.")
    assert event.actor1 is not None and event.actor1.name == "Al-Shabaab"


def test_workers_and_residents_are_not_protesters_outside_protests(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "Gunmen abducted six construction workers on the road to the mine.")
    assert event.actor2 == Actor("Civilians", "Civilians")
    protest = _primary(nlp, "Hundreds of workers marched to the governor's office to demand unpaid wages.")
    assert protest.event_type == "Protests" and protest.actor1 == Actor("Protesters", "Protesters")


@pytest.mark.parametrize(("text", "name", "kind"), [
    ("JNIM fighters ambushed a patrol near the market town.", "JNIM: Group for Support of Islam and Muslims",
     "Rebel group"),
    ("The Arakan Army captured an outpost in the hills.", "Arakan Army", "Rebel group"),
    ("M23 rebels shelled positions held by the Congolese army.", "M23: March 23 Movement", "Rebel group"),
    ("Israeli forces raided a refugee camp and killed three men.", "Military Forces of Israel", "State forces"),
    ("Russian troops shelled a village in the region.", "Military Forces of Russia", "State forces"),
    ("Suspected ADF militants killed 11 farmers with machetes.", "ADF: Allied Democratic Forces", "Rebel group"),
    ("PKK militants attacked a gendarmerie post near the mountains.", "PKK: Kurdistan Workers Party", "Rebel group"),
    ("Fighters from the Tehrik-i-Taliban Pakistan attacked a police station.", "TTP: Tehrik-i-Taliban Pakistan",
     "Rebel group"),
    ("ELN guerrillas attacked a military base in the province.", "ELN: National Liberation Army", "Rebel group"),
    ("The Tatmadaw bombed a school, killing four children.", "Military Forces of Myanmar", "State forces"),
])
def test_dictionary_names_well_known_actors(nlp: NlpPipeline, text: str, name: str, kind: str) -> None:
    assert _primary(nlp, text).actor1 == Actor(name, kind)


@pytest.mark.parametrize("text", [
    "The group has fought for more than a decade to overthrow the government in the capital.",
    "Jihadist groups have been fighting the army since 2015 across the north.",
    "The insurgency has killed tens of thousands of people since.",
    "The militia regularly attacks convoys on the highway to the port.",
])
def test_durative_background_is_not_an_event(nlp: NlpPipeline, text: str) -> None:
    assert _events(nlp, text) == []


def test_a_current_event_beside_background_is_kept(nlp: NlpPipeline) -> None:
    events = _events(nlp, "The rebels, who have fought the state for years, attacked a police post on Monday.")
    assert [e.sub_event_type for e in events] == ["Armed clash"]


def test_seizure_by_members_of_a_non_state_group(nlp: NlpPipeline) -> None:
    event = _primary(nlp, "Fighters of the paramilitary Rapid Support Forces seized two villages west of the town.")
    assert event.sub_event_type == "Non-state actor overtakes territory"
    assert event.actor1 == Actor("Rapid Support Forces", "Rebel group")


def test_a_headline_is_the_event_its_lead_tells(nlp: NlpPipeline) -> None:
    text = ("Drone strike kills fighters in northern Syria\n\n"
            "IDLIB (Test Wire) - A drone strike killed six fighters near the town of Sarmada on Tuesday, a monitor "
            "said. Residents said the area had been quiet.")
    assert len(list(nlp.parse(text).sents)) == 3  # the headline (with the dateline), the lead, the rest
    [event] = _events(nlp, text)
    assert event.sub_event_type == "Air/drone strike" and event.fatalities.best == 6
    assert event.evidence.sentence.startswith("A drone strike") and event.event_date == date(2024, 4, 30)
    # a headline whose story the text does not tell stays an event
    [alone] = _events(nlp, "Drone strike kills fighters in northern Syria\n\nResidents said the area was quiet.")
    assert alone.sub_event_type == "Air/drone strike"
