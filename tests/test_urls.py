"""Every view is a link: parameters set the controls, controls set the URL, hostile input is harmless."""

import hashlib

import pytest

from shb.present import urlstate, views
from shb.store import db as dbmod
from shb.web.site import DECK_PAGE
from tests.pages import PAGE_PATHS, run_page

# One valid, non-default view per page: the indicator fits the page.
FULL = {
    "app.py": "sysselsattningsgrad_20_64",
    "pages/1_god_start.py": "behoriga_gymnasieskolan",
    "pages/2_arbete.py": "sysselsattning_20_64_fodelseregion",
    "pages/3_boende.py": "otrygghet_utomhus_kvallstid",
    "pages/4_omraden.py": "ekonomiskt_bistand",
    "pages/5_karta.py": "forgymnasial_utbildning_25_64",
    "pages/6_grupper.py": "sysselsattning_20_64_fodelseregion",
    "pages/7_data_och_metod.py": "lag_ekonomisk_standard",
    "pages/8_importera.py": "sysselsattningsgrad_20_64",
    "pages/9_livscykeln.py": "sjalvskattad_god_halsa_16_84",
    "pages/10_prioritering.py": "hemloshet_per_1000",
}


@pytest.fixture(scope="module")
def facts(demo_db):
    return views.facts(dbmod.Database(demo_db))


def full_params(facts, path: str) -> dict[str, str]:
    ind = FULL[path]
    f = facts.indicators[ind]
    years = f.years
    return {"indikator": ind, "ar": str(years[-2]), "fran": str(years[1]), "till": str(years[-2]),
            "niva": "regso", "omrade": "1490R025", "jamfor": "polisen_2025",
            "grupp": f.group_dimensions[-1] if f.group_dimensions else "total", "utsnitt": "kommun",
            "v": facts.version}


# The Bildspel page's URL is a deck and a slide (bildspel, jamfor, bild), not one indicator's view.
VIEW_PAGES = [p for p in PAGE_PATHS if p != DECK_PAGE]


@pytest.mark.parametrize("path", VIEW_PAGES)
def test_parameters_set_the_view_and_the_url_is_canonical(demo_db, facts, path):
    params = full_params(facts, path)
    at = run_page(path, params)
    assert not at.exception
    expected = urlstate.to_params(urlstate.parse(params, facts))
    assert dict(at.query_params) == expected
    assert expected["indikator"] == params["indikator"] and expected["ar"] == params["ar"]
    indicator_boxes = [s for s in (*at.selectbox, *at.sidebar.selectbox) if s.label == "Indikator"]
    for box in indicator_boxes:
        assert box.value == params["indikator"]
    for box in (s for s in (*at.selectbox, *at.sidebar.selectbox) if s.label == "Jämför"):
        assert box.value == "polisen_2025"
    for box in (s for s in (*at.selectbox, *at.sidebar.selectbox) if s.label == "År"):
        assert box.value == int(params["ar"])
    for radio in (r for r in at.radio if r.label == "Utsnitt"):
        assert radio.value == "kommun"


def widget(at, kind: str, label: str):
    found = [w for w in (*getattr(at, kind), *getattr(at.sidebar, kind)) if w.label == label]
    assert found, f"no {kind} labelled {label!r}"
    return found[0]


@pytest.mark.parametrize("kind,label,value,param,expected", [
    ("selectbox", "Indikator", "ekonomiskt_bistand", "indikator", "ekonomiskt_bistand"),
    ("selectbox", "Jämför", "polisen_2025", "jamfor", "polisen_2025"),
    ("selectbox", "År", 2019, "ar", "2019"),
    ("radio", "Nivå", "deso", "niva", "deso"),
    ("radio", "Utsnitt", "kommun", "utsnitt", "kommun"),
    ("radio", "Grupp", "alder", "grupp", "alder"),
])
def test_changing_a_control_updates_the_url(demo_db, kind, label, value, param, expected):
    at = run_page("pages/2_arbete.py", {"indikator": "sysselsattningsgrad_20_64"})
    widget(at, kind, label).set_value(value)
    at.run()
    assert not at.exception
    assert at.query_params[param] == expected


def test_map_controls_update_the_url(demo_db):
    at = run_page("pages/5_karta.py", {"indikator": "sysselsattningsgrad_20_64"})
    widget(at, "selectbox", "Grupp").set_value("kon:kvinnor")
    at.run()
    at.select_slider[0].set_value(2018)
    at.run()
    assert not at.exception
    assert (at.query_params["grupp"], at.query_params["ar"]) == ("kon:kvinnor", "2018")


def test_the_view_survives_a_page_switch_without_parameters(demo_db):
    at = run_page("pages/2_arbete.py", {"indikator": "ekonomiskt_bistand", "jamfor": "polisen_2025"})
    at.query_params.clear()
    at.switch_page("pages/5_karta.py").run()
    assert (at.query_params["indikator"], at.query_params["jamfor"]) == ("ekonomiskt_bistand", "polisen_2025")


def test_share_link_is_absolute_and_over_specified(demo_db, facts, monkeypatch):
    monkeypatch.setenv("SHB_PUBLIC_URL", "https://uppfoljning.example.se/")
    at = run_page("pages/5_karta.py", {"indikator": "sysselsattningsgrad_20_64", "ar": "2020"})
    link = next(c.value for c in at.sidebar.code)
    assert link.startswith("https://uppfoljning.example.se/karta?indikator=sysselsattningsgrad_20_64&ar=2020&")
    for key in ("fran", "till", "niva", "jamfor", "grupp", "utsnitt", f"v={facts.version}"):
        assert key in link


def test_a_link_from_another_version_says_so(demo_db):
    at = run_page("pages/2_arbete.py", {"indikator": "sysselsattningsgrad_20_64", "v": "20200101T000000Z"})
    assert any("Länken gjordes på data från version 20200101T000000Z" in i.value for i in at.info)


HOSTILE = [
    {"indikator": "finns_inte"}, {"indikator": "'; drop table observation; --"},
    {"indikator": "<script>alert(1)</script>"}, {"indikator": "x" * 10_240}, {"indikator": ["a", "b"]},
    {"ar": "1850"}, {"ar": "20x4"}, {"ar": "-1"}, {"ar": "2024 or 1=1"}, {"ar": "9" * 10_240},
    {"fran": "2024", "till": "2012"}, {"niva": "planet"}, {"niva": "<b>"}, {"omrade": "1490R999"},
    {"omrade": "0180R001,1490R025"}, {"omrade": "1490R025' or '1'='1"}, {"omrade": ",".join(["1490R025"] * 2000)},
    {"jamfor": "alla"}, {"jamfor": "../../data/shb"}, {"grupp": "kon:okand"}, {"grupp": "religion"},
    {"utsnitt": "sverige"}, {"visning": "<img src=x onerror=alert(1)>"}, {"v": "../../etc/passwd"}, {"v": "2026"},
    {"okand": "1"}, {"indikator": "%E0%A4%A"}, {"indikator": "syss\x00"}, {"indikator": "syss elsattning"},
    {"ar": ["2019", "2020"]}, {"indikator": "\u202eevil"}, {"omrade": "1490C1010%00"},
]


@pytest.fixture(scope="module")
def db_hash(demo_db):
    return hashlib.sha256(demo_db.read_bytes()).hexdigest()


@pytest.mark.parametrize("params", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_parameters_never_raise_and_change_nothing(demo_db, db_hash, facts, params):
    at = run_page("pages/2_arbete.py", params)
    assert not at.exception
    notices = [w.value for w in at.warning if "Demodata" not in w.value]
    assert notices, "one short Swedish notice names what was ignored"
    assert all(len(n) < 200 for n in notices)
    assert urlstate.parse(dict(at.query_params), facts).notices == (), "the URL was corrected"
    assert hashlib.sha256(demo_db.read_bytes()).hexdigest() == db_hash
