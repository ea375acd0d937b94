"""The geo stage on real parses: recognition, context-based resolution, and event location."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conflictradar.cli import app
from conflictradar.geo import Geocoder
from conflictradar.nlp import NlpPipeline
from conflictradar.schema import Event, Evidence, Location, Toponym
from conflictradar.testing import make_article


@pytest.fixture(scope="module")
def geocoder() -> Geocoder:
    return Geocoder()


def _parse(nlp: NlpPipeline, geocoder: Geocoder, text: str) -> dict[str, Toponym]:
    return {t.text: t for t in geocoder.geoparse(nlp.parse(text))}


def _event(text: str, sentence: str) -> Event:
    start = text.index(sentence)
    return Event("e1", "a1", "Battles", "Armed clash", date(2024, 5, 1), 1,
                 Evidence(sentence, start, start + len(sentence)))


def test_transliterated_arabic_names_are_found_and_resolved(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    found = _parse(nlp, geocoder, "Clashes broke out in Hassakeh and shells fell near Qamishli on Tuesday.")
    assert found["Hassakeh"].country_code == "SY" and found["Qamishli"].country_code == "SY"


def test_the_state_named_next_to_a_town_decides_which_town(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    found = _parse(nlp, geocoder, "The fair opened in Paris, Texas, on Saturday.")
    assert found["Paris"].country_code == "US" and found["Paris"].admin1 == "Texas"
    plain = _parse(nlp, geocoder, "Thousands marched in Paris on Saturday.")
    assert plain["Paris"].country_code == "FR"


def test_abbreviated_us_state_resolves_the_town(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    found = _parse(nlp, geocoder, "The mayor of Athens, Ga., said the vote was close.")
    assert found["Athens"].country_code == "US" and found["Athens"].admin1 == "Georgia"


def test_nationality_words_stand_for_their_country(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    found = _parse(nlp, geocoder, "Syrian forces said the road was open.")
    assert found["Syrian"].country_code == "SY"


def test_event_in_a_village_gets_precision_1_and_a_place_span(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    text = "Militants attacked Saraqib in Idlib province on Monday, killing three people."
    article = make_article(text)
    [located] = geocoder.locate(article, nlp.parse(text), [_event(text, text)])
    assert located.location is not None
    assert (located.location.name, located.location.admin1, located.location.country_code) == ("Saraqib", "Idlib", "SY")
    assert located.location.geo_precision == 1 and located.location.country == "Syria"
    place = [s for s in located.evidence.spans if s.label == "place"]
    assert [(s.text, text[s.start:s.end]) for s in place] == [("Saraqib", "Saraqib")]


def test_near_a_town_gives_precision_2(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    text = "A roadside bomb exploded near Saraqib, wounding two soldiers."
    [located] = geocoder.locate(make_article(text), nlp.parse(text), [_event(text, text)])
    assert located.location is not None and located.location.geo_precision == 2


def test_only_a_province_gives_precision_3(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    text = "Airstrikes hit several areas of Idlib province overnight."
    [located] = geocoder.locate(make_article(text), nlp.parse(text), [_event(text, text)])
    assert located.location is not None
    assert (located.location.geo_precision, located.location.admin1) == (3, "Idlib")


def test_an_event_without_a_place_in_its_sentence_takes_the_previous_one(nlp: NlpPipeline,
                                                                        geocoder: Geocoder) -> None:
    first = "Fighting resumed in Kharkiv on Sunday."
    second = "Two soldiers were killed, officials said."
    text = f"{first} {second}"
    [located] = geocoder.locate(make_article(text), nlp.parse(text), [_event(text, second)])
    assert located.location is not None and located.location.country_code == "UA"


def test_a_text_without_places_leaves_the_event_unlocated(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    text = "Two soldiers were killed, officials said."
    [located] = geocoder.locate(make_article(text), nlp.parse(text), [_event(text, text)])
    assert located.location is None and located.evidence.spans == ()


def test_geoparse_command_writes_one_object_per_line_deterministically(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "n1", "text": "Shelling hit Aleppo and Homs."}) + "\n"
                      + json.dumps({"id": "n2", "text": "Nothing happened."}) + "\n", encoding="utf-8")
    outputs = []
    for name in ("a.jsonl", "b.jsonl"):
        result = CliRunner().invoke(app, ["geoparse", str(source), "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / name).read_bytes())
    assert outputs[0] == outputs[1]
    lines = [json.loads(line) for line in outputs[0].decode().splitlines()]
    assert [line["id"] for line in lines] == ["n1", "n2"] and lines[1]["toponyms"] == []
    aleppo = lines[0]["toponyms"][0]
    assert set(aleppo) == {"start", "end", "text", "name", "latitude", "longitude", "country_code", "admin1",
                           "geonames_id"}
    assert (aleppo["text"], aleppo["country_code"]) == ("Aleppo", "SY")


def test_geoparse_command_rejects_a_bad_line_with_file_and_line(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"id": "ok", "text": "In Homs."}\n{"id": "x"\n', encoding="utf-8")
    result = CliRunner().invoke(app, ["geoparse", str(source)])
    assert result.exit_code == 1
    assert "bad.jsonl:2" in result.output and "E004" in result.output


def test_a_namesake_far_away_yields_to_the_province_the_text_names(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    text = "Shells fell on Paris village (Hama governorate), killing a farmer."
    [located] = geocoder.locate(make_article(text), nlp.parse(text), [_event(text, text)])
    assert located.location is not None
    assert (located.location.country_code, located.location.admin1) == ("SY", "Hama")
    assert located.location.geo_precision == 3


def test_the_attackers_nationality_is_not_the_place(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    text = "Russian forces shelled a school in Kramatorsk, Donetsk, wounding four."
    [located] = geocoder.locate(make_article(text), nlp.parse(text), [_event(text, text)])
    assert located.location is not None
    assert (located.location.name, located.location.country_code) == ("Kramatorsk", "UA")


def _locate_all(nlp: NlpPipeline, geocoder: Geocoder, text: str, sentence: str | None = None) -> Event:
    [located] = geocoder.locate(make_article(text), nlp.parse(text), [_event(text, sentence or text)])
    return located


def test_the_bracketed_province_decides_the_country(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    # The gazetteer knows this town only abroad (a Brazilian Lajeado): the province in brackets stands in for it.
    located = _locate_all(nlp, geocoder, "On 3 March 2023, in Lajeado (San Pedro), farmers protested over "
                                         "land titles.")
    assert located.location is not None
    assert (located.location.country_code, located.location.admin1) == ("PY", "San Pedro")
    assert located.location.geo_precision == 3


def _location(nlp: NlpPipeline, geocoder: Geocoder, text: str) -> Location:
    location = _locate_all(nlp, geocoder, text).location
    assert location is not None, text
    return location


def test_a_small_namesake_abroad_yields_to_the_district_named_after_it(nlp: NlpPipeline,
                                                                      geocoder: Geocoder) -> None:
    # The gazetteer knows "Di" only as a small town in the United States; the district after it is in Burkina Faso.
    sourou = _location(nlp, geocoder, "On 2 June 2023, soldiers clashed with rebels at Di, in Sourou province, "
                                      "wounding two.")
    assert (sourou.country_code, sourou.name, sourou.geo_precision) == ("BF", "Province du Sourou", 2)
    # Of the areas after it, the broadest decides: Saku is also a district in Estonia, Marsabit county is not.
    marsabit = _location(nlp, geocoder, "On 5 May 2023, herders clashed in Marsabit (Saku sub-county, "
                                        "Marsabit county).")
    assert (marsabit.country_code, marsabit.name) == ("KE", "Marsabit")


def test_a_building_named_with_its_town_is_placed_in_the_town(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    # The model reads "the City Hall in Uppsala" as one facility, which no gazetteer has.
    uppsala = _location(nlp, geocoder, "On 7 May 2023, pensioners rallied outside the City Hall in Uppsala over "
                                       "bus fares.")
    assert (uppsala.country_code, uppsala.geo_precision, uppsala.name) == ("SE", 1, "Uppsala")


@pytest.mark.parametrize(("text", "country", "admin1"), [
    # The model tags "Norrkoping" a verb (its -ing): right after "in", mid-sentence, a capital is a name.
    ("On 2 May 2023, nurses marched in Norrkoping over pay.", "SE", None),
    # The model reads the area after "X town," or "X district," as an organisation.
    ("On 3 June 2023, gunmen shot a trader in Diapaga town, Tapoa.", "BF", "Est"),
    ("On 9 July 2023, fighters ambushed a patrol in Rukha district, Panjshir.", "AF", "Panjshir"),
    # "the <building> of X": X is a place, whatever the model calls it.
    ("On 5 April 2023, nurses rallied at the hospital of Lisieux over staffing.", "FR", None),
    ("Lawyers protested outside the tribunal of Nabeul on Monday.", "TN", None),
])
def test_a_place_the_model_mistags_is_found_where_a_place_is_expected(
        nlp: NlpPipeline, geocoder: Geocoder, text: str, country: str, admin1: str | None) -> None:
    location = _location(nlp, geocoder, text)
    assert location.country_code == country
    assert admin1 is None or location.admin1 == admin1


@pytest.mark.parametrize(("text", "country"), [
    ("On 13 January 2023, gunmen attacked a bus in Kumba town (Sud-Ouest).", "CM"),
    ("On 30 March 2023, protesters marched in Sanabis (Capital) for the release of prisoners.", "BH"),
])
def test_a_bracketed_compass_or_capital_area_alone_does_not_move_a_place_abroad(
        nlp: NlpPipeline, geocoder: Geocoder, text: str, country: str) -> None:
    # Burkina Faso has a Sud-Ouest and Venezuela a Capital region: the name fits the place's own country too.
    assert _location(nlp, geocoder, text).country_code == country


def test_a_name_and_its_bracketed_province_in_one_entity_are_two_places(nlp: NlpPipeline,
                                                                         geocoder: Geocoder) -> None:
    located = _locate_all(nlp, geocoder, "On 2 May 2023, in Maceio (Alagoas), teachers marched for higher pay.")
    assert located.location is not None
    assert (located.location.country_code, located.location.admin1) == ("BR", "Alagoas")
    assert located.location.geo_precision == 1


def test_a_country_named_as_the_topic_is_not_the_place(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    located = _locate_all(nlp, geocoder, "Activists gathered in Piaseczno to protest against the war on Ukraine.")
    assert located.location is not None and located.location.country_code == "PL"


def test_a_country_that_speaks_is_not_the_place(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    sentence = ("The United States, which keeps about 700 troops in northeastern Syria, said its aircraft had "
                "struck militant positions near the prison.")
    alone = _locate_all(nlp, geocoder, sentence)
    assert alone.location is not None and alone.location.country_code == "SY"
    text = "Fighting went on for a third day around the prison in Hasakah. " + sentence
    located = _locate_all(nlp, geocoder, text, sentence)
    assert located.location is not None
    assert (located.location.country_code, located.location.name) == ("SY", "Al Ḩasakah")


def test_admin1_is_spelled_as_the_text_names_the_province(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    located = _locate_all(nlp, geocoder, "Shells hit Tal Tamr in Al Hasakeh governorate on Monday.")
    assert located.location is not None
    assert (located.location.country_code, located.location.admin1) == ("SY", "Al Hasakeh")


def test_half_of_a_hyphenated_name_is_not_a_place(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    found = _parse(nlp, geocoder, "Militiamen killed two farmers near Kamanyola (Walungu, Sud-Kivu) on Friday.")
    assert "Sud" not in found


def test_letters_without_a_decomposition_are_folded() -> None:
    from conflictradar.geo import normalize

    assert normalize("Şanlıurfa") == normalize("Sanliurfa") == "sanliurfa"
    assert normalize("Łódź") == "lodz"


def test_a_village_the_gazetteer_lacks_is_placed_in_its_bracketed_2015_province(nlp: NlpPipeline,
                                                                                geocoder: Geocoder) -> None:
    located = _locate_all(nlp, geocoder, "Gunmen raided Mabanga village (Irumu, Ituri) on Sunday night.")
    assert located.location is not None
    assert (located.location.country_code, located.location.admin1) == ("CD", "Ituri")


def test_a_short_form_of_the_province_gives_way_to_its_official_name(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    located = _locate_all(nlp, geocoder, "On Monday, in Xalapa, Veracruz, two men were shot dead outside a shop.")
    assert located.location is not None
    assert (located.location.country_code, located.location.admin1) == ("MX", "Veracruz de Ignacio de la Llave")


def test_a_reporting_area_after_a_district_is_read_as_the_province(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    # The area after "district," is the province (not a person), and it keeps a namesake abroad out.
    located = _locate_all(nlp, geocoder, "On 5 March 2023, troops shelled a village in Kutkai township (Kyaukme "
                                         "district, Shan-North).")
    assert located.location is not None
    assert (located.location.country_code, located.location.admin1) == ("MM", "Shan-North")


def test_a_position_word_or_area_part_between_cue_and_name_still_cues_a_place(nlp: NlpPipeline,
                                                                               geocoder: Geocoder) -> None:
    # The small model tags neither name here: the gazetteer matcher needs the cue across "central" / "countryside of".
    found = _parse(nlp, geocoder, "Nurses rallied in central Cardiff on Friday.")
    assert found["Cardiff"].country_code == "GB"
    found = _parse(nlp, geocoder, "Shepherds found a body in the eastern countryside of Ar-Rastan city.")
    assert found["Ar-Rastan"].country_code == "SY"


def test_a_district_written_without_its_type_prefix_places_an_unknown_village(nlp: NlpPipeline,
                                                                               geocoder: Geocoder) -> None:
    # GeoNames has "Province du Gourma"; the text writes "Gourma". The unknown village takes its district.
    located = _locate_all(nlp, geocoder, "Gunmen killed four traders near the village of Tinbara (Gourma) "
                                         "on Monday.")
    assert located.location is not None
    assert (located.location.country_code, located.location.geo_precision) == ("BF", 2)


def test_a_country_named_as_the_topic_does_not_confine_the_place(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    # "in Ukraine" after "the war" says what the protest is about: the town where it happened stays the place.
    located = _locate_all(nlp, geocoder, "About 300 people demonstrated in Kitzingen against the war in Ukraine.")
    assert located.location is not None
    assert (located.location.name, located.location.country_code) == ("Kitzingen", "DE")


def test_a_place_named_with_a_nationality_word_is_one_place(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    # The model reads "Spanish" alone; the gazetteer knows "Spanish Town".
    text = "Police said two men were shot dead outside a bar in Spanish Town late on Friday."
    assert _parse(nlp, geocoder, text)["Spanish Town"].country_code == "JM"
    located = _locate_all(nlp, geocoder, text)
    assert located.location is not None and located.location.country_code == "JM"


def test_a_street_or_school_named_after_a_place_is_not_the_events_place(nlp: NlpPipeline,
                                                                        geocoder: Geocoder) -> None:
    located = _locate_all(nlp, geocoder, "Residents marched along Jogoo road towards the chief's office in "
                                         "Kayole, Nairobi, on Friday.")
    assert located.location is not None and located.location.country_code == "KE"
    located = _locate_all(nlp, geocoder, "Parents at the Lima school in Sona (Veraguas) blocked the road to "
                                         "demand a new roof.")
    assert located.location is not None and located.location.country_code == "PA"
    alone = _locate_all(nlp, geocoder, "A grenade exploded outside a Kabul school on Sunday morning.")
    assert alone.location is not None and alone.location.country_code == "AF", "nothing else named: it stands"


def test_a_province_the_tagger_reads_as_a_verb_is_still_found_before_region(nlp: NlpPipeline,
                                                                           geocoder: Geocoder) -> None:
    located = _locate_all(nlp, geocoder, "Troops burned dozens of houses in Kani township (Sagaing region) on "
                                         "Monday.")
    assert located.location is not None
    assert (located.location.country_code, located.location.admin1) == ("MM", "Sagaing")


def test_a_place_inside_a_groups_name_is_not_where_the_event_was(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    located = _locate_all(nlp, geocoder, "Shelling struck positions held by Luhansk People's Militia fighters "
                                         "near Bakhmut, Donetsk, overnight.")
    assert located.location is not None and located.location.admin1 == "Donetsk"


@pytest.mark.parametrize(("text", "country"), [
    # "West" is a region of Cameroon and of Iceland too; the district named with it is Libyan.
    ("Fishermen blocked the harbour at Abu Kammash (Zuwara, West) for a second day.", "LY"),
    # Botswana has a "South East" district; the text's region is Nigeria's.
    ("Traders from across the south east rallied in Aba (Aba North, Abia) against the new tax.", "NG"),
    # "Bab" alone is a Syrian city; "Bab al-Marj" here is an area near a West Bank village.
    ("Settlers attacked shepherds in Bab al-Marj area near Duma (Nablus, West Bank).", "PS"),
], ids=["compass-named area", "region abroad", "first word of a longer Arabic name"])
def test_names_that_do_not_tell_the_country_leave_it_to_those_that_do(nlp: NlpPipeline, geocoder: Geocoder,
                                                                      text: str, country: str) -> None:
    located = _locate_all(nlp, geocoder, text)
    assert located.location is not None and located.location.country_code == country


def test_the_groups_that_fight_say_which_namesake_is_meant(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    from conflictradar.extract import Actor, actor_countries

    assert actor_countries("Taliban") == {"AF"} and actor_countries("Protesters") == frozenset()
    text = "Fighters seized a hilltop in Al Jawf after two days of shelling."
    doc = nlp.parse(text)
    alone = geocoder.locate(make_article(text), doc, [_event(text, text)])[0]
    houthis = replace(_event(text, text), actor1=Actor("Military Forces of Yemen (2017-) Supreme Political Council",
                                                         "Rebel group"))
    hinted = geocoder.locate(make_article(text), doc, [houthis])[0]
    assert alone.location is not None and alone.location.country_code == "SA"  # the larger namesake
    assert hinted.location is not None and hinted.location.country_code == "YE"


def test_a_place_opening_an_institutions_name_is_a_toponym(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    text = "Detectives from Bristol Police appealed for witnesses after the fire."
    found = _parse(nlp, geocoder, text)
    assert "Bristol" in found and found["Bristol"].latitude is not None
    assert "Lincoln" not in _parse(nlp, geocoder, "The Lincoln Financial Group said profits fell."), \
        "no institution word after it: a company named after a person"


def test_a_people_named_in_the_plural_stands_for_its_country(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    found = _parse(nlp, geocoder, "Two Russians and a Georgian were detained at the crossing.")
    assert found["Russians"].country_code == "RU"


@pytest.mark.parametrize(("text", "country", "admin1"), [
    # The list after "X - Y" places X; X named again in it does not outvote the province after it.
    ("Settlers damaged three cars in Al Quds - Shuafat (Al Quds, West Bank) at night.", "PS", "West Bank"),
    # "KP" spells a Cambodian town's code too; as an abbreviation it is the province.
    ("Gunmen shot a shopkeeper in Bannu city (Bannu district, KP) on Friday.", "PK", "Khyber Pakhtunkhwa"),
    # "Sava" alone is a Malagasy region; here it is half of a Cameroonian department's name.
    ("Militants raided a market near Mora (Mayo-Sava) and took cattle.", "CM", None),
    # "Castilla" alone is a Peruvian province; "y" joins the Spanish region's name.
    ("Teachers marched through Zamora (Castilla y Leon) over pay.", "ES", None),
], ids=["repeated name in the list", "abbreviated province", "half of a hyphenated name", "Spanish y"])
def test_a_bracketed_list_places_the_name_before_it(nlp: NlpPipeline, geocoder: Geocoder, text: str, country: str,
                                                    admin1: str | None) -> None:
    located = _locate_all(nlp, geocoder, text)
    assert located.location is not None and located.location.country_code == country
    if admin1:
        assert located.location.admin1 == admin1


def test_an_abbreviation_is_only_a_country_a_province_or_a_large_city(geocoder: Geocoder) -> None:
    from conflictradar.geo._recognize import Mention

    # Without the rule "NY" folds to small towns abroad ("Ney"), and "KP" is a Cambodian town's code.
    assert geocoder.resolver.candidates(Mention(0, 2, "NY")) == []
    assert {p.feature for p in geocoder.resolver.candidates(Mention(0, 2, "KP"))} == {"admin1"}
    assert any(p.feature == "place" for p in geocoder.resolver.candidates(Mention(0, 2, "Ny")))


def test_an_abbreviation_right_after_a_name_only_qualifies_it(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    # "D.C." alone is Washington; after "Bogota" it is the capital district's designation, and
    # reading it as Washington would pull the city to its US namesake.
    for text in ("Students blocked a main road in Bogota D.C. on Thursday.",
                 "Students blocked a main road in Suba (Bogota, D.C.) on Thursday."):
        found = _parse(nlp, geocoder, text)
        assert found["Bogota"].country_code == "CO"
        assert found.get("D.C.") is None or found["D.C."].country_code != "US"
    # One that is the place named before it, or holds it, stays.
    assert _parse(nlp, geocoder, "Veterans marched in Washington, D.C. on Thursday.")["D.C."].country_code == "US"
    assert _parse(nlp, geocoder, "Fighting near Peshawar, KP killed three.")["KP"].admin1 == "Khyber Pakhtunkhwa"
    assert _parse(nlp, geocoder, "Veterans marched in Washington D.C. on Thursday.")["Washington D.C."] \
        .country_code == "US"


def test_a_province_read_as_a_nationality_is_still_the_province(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    # The small model tags "Michoacan" NORP; it is the start of the state's official name "Michoacán de Ocampo".
    michoacan = _location(nlp, geocoder, "On 4 May 2024, in El Zapote, Michoacan, there was a shootout between "
                                         "armed men.")
    assert michoacan.country_code == "MX" and michoacan.admin1 == "Michoacán de Ocampo"


@pytest.mark.parametrize(("text", "admin1", "district"), [
    ("On 9 May 2024, traders shut their shops in Kanchanrup municipality (Saptari district).", "Madhesh", "Saptari"),
    ("On 9 May 2024, teachers rallied in Machhapuchchhre rural municipality (Kaski district).", "Gandaki", "Kaski"),
    # Cameroon's region in French (pycountry's translation); the record keeps the spelling of the text.
    ("On 9 May 2024, gunmen attacked a village near Mokolo (Mayo-Tsanaga, Extreme-Nord).", "Extreme-Nord", None),
])
def test_districts_and_regions_the_shipped_data_lacks(nlp: NlpPipeline, geocoder: Geocoder, text: str,
                                                     admin1: str, district: str | None) -> None:
    location = _location(nlp, geocoder, text)
    assert location.admin1 == admin1
    if district is not None:
        assert location.country_code == "NP" and district in {location.name, location.admin2}
    else:
        assert location.country_code == "CM"


def test_a_name_the_model_cut_at_and_is_read_whole(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    text = "On 2 March 2024, nurses protested outside the hospital in Gander (Newfoundland and Labrador)."
    names = [(r.mention.text, r.place.country_code) for r in geocoder.resolve(nlp.parse(text)) if r.place]
    assert ("Newfoundland and Labrador", "CA") in names
    assert _location(nlp, geocoder, text).country_code == "CA"


def test_a_direction_word_inside_an_organisation_is_no_place(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    text = ("On 4 March 2024, fighters based in the Central Training Camp fired mortars at Taizz - Al Mudhaffar, "
            "wounding two.")
    mentions = [r.mention.text for r in geocoder.resolve(nlp.parse(text))]
    assert "Central" not in mentions
    assert _location(nlp, geocoder, text).country_code == "YE"


def test_a_town_abroad_in_brackets_after_a_citys_district_does_not_move_the_city(nlp: NlpPipeline,
                                                                                  geocoder: Geocoder) -> None:
    # "Al Qahirah" is also Cairo's Arabic name; after "Taizz - Al Masbah" it is the district's own area.
    location = _location(nlp, geocoder, "On 4 March 2024, a sniper wounded a boy in Taizz - Al Masbah (Al Qahirah).")
    assert location.country_code == "YE"


@pytest.mark.parametrize(("text", "country", "admin1"), [
    # An acronym in a place's bracketed hierarchy is the province's ("KPK"), not a group's name.
    ("On 3 May 2024, traders closed their shops in Kohat (Kohat district, KPK) over power cuts.", "PK",
     "Khyber Pakhtunkhwa"),
    # A part of a town ("Western Limassol") is the town, where the gazetteer has no name for the part.
    ("On 3 May 2024, students marched to the ministry in Western Limassol.", "CY", None),
    # Chile's Los Rios region (2007) is named after its ISO code, so Ecuador's namesake loses.
    ("On 3 May 2024, in Panguipulli (Los Rios), dockworkers marched for higher pay.", "CL", "Los Rios"),
])
def test_bracketed_acronyms_town_parts_and_new_regions(nlp: NlpPipeline, geocoder: Geocoder, text: str,
                                                      country: str, admin1: str | None) -> None:
    location = _location(nlp, geocoder, text)
    assert location.country_code == country
    if admin1 is not None:
        assert location.admin1 == admin1


def test_a_province_by_an_old_name_loses_to_the_one_called_so_today(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    # GeoNames keeps "Islamabad" as an old name of Chattogram; with Sindh named, both mentions are Pakistan's.
    text = "On 3 May 2024, lawyers rallied outside the Sindh High Court office in Islamabad (Islamabad, FCT)."
    places = [r.place for r in geocoder.resolve(nlp.parse(text)) if r.mention.text == "Islamabad" and r.place]
    assert len(places) == 2 and {p.country_code for p in places} == {"PK"}


@pytest.mark.parametrize(("text", "country"), [
    # Called a village or town, a name the gazetteer knows only as a city abroad yields to the area after it:
    # Egypt's Mansoura, a US Medina and Bangladesh's Dhaka are no Syrian villages.
    ("On 3 May 2024, rebels shelled Mansura village in Ar Raqqa governorate.", "SY"),
    ("On 3 May 2024, government forces shelled Medina town in Hama governorate.", "SY"),
    # ... and so does a big city named after it ("Deir ez Zor countryside").
    ("On 3 May 2024, a patrol clashed with tribesmen in Dhaka town of the Deir ez Zor countryside.", "SY"),
    # "X countryside, Y": the province after an area noun and a comma is a place, though tagged a person.
    ("On 3 May 2024, gunmen killed a farmer in Umm Khair village in the Qamishli countryside, Hasakeh.", "SY"),
])
def test_a_village_abroad_yields_to_the_area_after_it(nlp: NlpPipeline, geocoder: Geocoder, text: str,
                                                       country: str) -> None:
    assert _location(nlp, geocoder, text).country_code == country


def test_a_place_opening_an_institution_after_the(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    text = ("The Athens Public Library will close for repairs, and the Macon Public Utilities department "
            "reported a spill. The City Council of Melilla met on Monday.")
    mentions = {r.mention.text: r.place.country_code for r in geocoder.resolve(nlp.parse(text)) if r.place}
    assert "Athens" in mentions and "Macon" in mentions
    assert "City" not in mentions  # a type word opening "the City Council of X" is no place


def test_a_compass_part_of_a_province_is_the_province_but_not_of_a_country(nlp: NlpPipeline,
                                                                          geocoder: Geocoder) -> None:
    georgia = {r.mention.text: r.place for r in geocoder.resolve(nlp.parse(
        "Schools in Northeast Georgia near Atlanta reopened on Monday.")) if r.place}
    assert georgia["Georgia"].country_code == "US" and georgia["Georgia"].feature == "admin1"
    # "West Azerbaijan" is an Iranian province, no part of the country Azerbaijan.
    iran = _location(nlp, geocoder, "On 3 May 2024, retirees held a rally in Mahabad city (West Azerbaijan).")
    assert iran.country_code == "IR"


def _mentions(geocoder: Geocoder, nlp: NlpPipeline, text: str) -> list[tuple[str, bool, str | None, str | None]]:
    """(text, inside an organisation's name, country, admin1) of each mention, in order."""
    return [(r.mention.text, r.mention.in_name, r.place and r.place.country_code, r.place and r.place.admin1)
            for r in geocoder.resolve(nlp.parse(text))]


def test_a_county_named_in_the_text_picks_its_town_over_a_famous_namesake(nlp: NlpPipeline,
                                                                          geocoder: Geocoder) -> None:
    # Said three times, "Lebanon" (the country) used to vote for itself and outweigh the county that holds
    # the Tennessee town; a name said again is no new evidence, and a county named in the text holds its towns.
    text = ("Lebanon officials approved the budget on Monday. Lebanon police said the new station will open in "
            "spring, and Lebanon schools will share the cost with Wilson County.")
    found = _mentions(geocoder, nlp, text)
    assert {(country, admin1) for name, _, country, admin1 in found if name == "Lebanon"} == {("US", "Tennessee")}
    assert ("Wilson County", False, "US", "Tennessee") in found
    berlin = _parse(nlp, geocoder, text.replace("Lebanon", "Berlin").replace("Wilson", "Coos"))
    assert (berlin["Berlin"].country_code, berlin["Berlin"].admin1) == ("US", "New Hampshire")


def test_a_country_is_not_a_small_namesake_town_of_the_state_the_text_is_about(nlp: NlpPipeline,
                                                                               geocoder: Geocoder) -> None:
    # There is a China in Texas; that the text is about Texas is weak evidence against the country 10^6 times
    # larger, and, said again, the country is no more a Texas town.
    found = _mentions(geocoder, nlp, "Texas farmers met in Houston and Dallas on Monday to discuss falling "
                                     "exports to China.")
    assert [(name, country) for name, _, country, _ in found if name == "China"] == [("China", "CN")]
    again = _mentions(geocoder, nlp, "Exports from Texas to China fell last year. Port officials in Houston said "
                                     "shipments to China dropped by a third, and China's tariffs were blamed.")
    assert {country for name, _, country, _ in again if name == "China"} == {"CN"}


def test_new_york_alone_is_the_city(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    found = _parse(nlp, geocoder, "The band played two nights in New York before the tour moved on.")
    assert found["New York"].name == "New York City"


def test_towns_listed_with_a_known_one_are_places_whatever_the_model_tagged(nlp: NlpPipeline,
                                                                              geocoder: Geocoder) -> None:
    # The small model reads the last two as people.
    found = _parse(nlp, geocoder, "The chain closed its stores in Utrecht, Zwolle, Deventer and Hengelo last month.")
    assert {name: found[name].country_code for name in ("Deventer", "Hengelo")} == {"Deventer": "NL", "Hengelo": "NL"}


def test_a_town_tagged_as_a_date_after_in_is_a_place_but_a_month_is_not(nlp: NlpPipeline,
                                                                       geocoder: Geocoder) -> None:
    found = _parse(nlp, geocoder, "Soldiers were deployed in Cuxhaven near the border.")
    assert found["Cuxhaven"].country_code == "DE"
    assert _parse(nlp, geocoder, "Soldiers were deployed in March near the border.") == {}


def test_a_place_inside_organisations_names_is_a_toponym_but_not_the_event_place(nlp: NlpPipeline,
                                                                                geocoder: Geocoder) -> None:
    text = ("Dubuque police arrested two men on Friday. The Dubuque Rotary Club said its gallery in Cedar "
            "Rapids was damaged, and the Dubuque Historical Society offered help.")
    found = _mentions(geocoder, nlp, text)
    dubuque = [(in_name, country) for name, in_name, country, _ in found if name == "Dubuque"]
    assert dubuque == [(False, "US"), (True, "US"), (True, "US")]
    located = _locate_all(nlp, geocoder, text, text[text.index("The Dubuque Rotary"):])
    assert located.location is not None and located.location.name == "Cedar Rapids"


def test_a_county_opening_an_office_name_is_the_county(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    for text, county, state in [
            ("The suspect was booked into the Lauderdale County Jail on Tuesday.", "Lauderdale County", None),
            ("A deputy with the Coos County Sheriff's Office said the road was closed.", "Coos County", None),
            ("Filings at the McMinn County Chancery Court rose this year.", "McMinn County",
             "Tennessee")]:
        found = _mentions(geocoder, nlp, text)
        assert [(name, in_name, country) for name, in_name, country, _ in found] == [(county, True, "US")], text
        assert state is None or found[0][3] == state


def test_country_and_union_initials_are_toponyms_wherever_they_stand(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    found = _mentions(geocoder, nlp, "Ministers discussed new EU farm rules, and the US Commerce Department "
                                     "objected to the plan.")
    assert [(name, in_name, country) for name, in_name, country, _ in found] == [("EU", True, ""),
                                                                                ("US", True, "US")]
    for text in ["The temple was built around 300 B.C. according to the guide.",  # an era
                 "BY CHAD OWENS Staff Writer",  # a name in capitals
                 "The BBC reported the fire on Sunday."]:  # not "BC" with a doubled letter
        assert _mentions(geocoder, nlp, text) == [], text


def test_a_peoples_name_inside_an_organisations_name_stands_for_its_country(nlp: NlpPipeline,
                                                                           geocoder: Geocoder) -> None:
    found = _mentions(geocoder, nlp, "The Ghanaian Times reported that the Kenyan Navy sent two ships.")
    assert [(name, in_name, country) for name, in_name, country, _ in found] == [("Ghanaian", True, "GH"),
                                                                                ("Kenyan", True, "KE")]


def test_a_continent_or_union_is_never_the_event_place(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    text = ("On 3 March, an anti-EU rally was held in Kvemo City. The rally came after Georgia was denied "
            "candidate status.")
    located = _locate_all(nlp, geocoder, text, "On 3 March, an anti-EU rally was held in Kvemo City.")
    assert located.location is not None and located.location.country_code == "GE"


def test_a_nepali_district_whose_town_cities500_lacks_is_found(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    location = _location(nlp, geocoder, "On 4 May 2023, farmers blocked a highway in a village of Bara district "
                                        "over fertiliser shortages.")
    assert (location.country_code, location.admin1) == ("NP", "Madhesh")


def test_a_name_before_a_noun_for_its_people_is_a_place(nlp: NlpPipeline, geocoder: Geocoder) -> None:
    # The model reads "Dubuque" as a nationality here.
    found = _parse(nlp, geocoder, "A Dubuque man was charged with arson after the blaze.")
    assert (found["Dubuque"].country_code, found["Dubuque"].admin1) == ("US", "Iowa")
    for text in ["City officials said the bridge would reopen soon.",  # a type word, not a town called City
                 "Staff said Alder House residents were moved after the flood."]:  # the tail of a longer name
        assert _parse(nlp, geocoder, text) == {}, text
