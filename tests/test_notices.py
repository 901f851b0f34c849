"""No silent overrides: when a link's indicator, year, group, level or area cannot be shown on a page,
the page says what was asked for and what it shows instead (and links an indicator to its own page)."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from shb.web.site import DECK_PAGE, page_url_path
from tests.pages import PAGE_PATHS, run_page

BY_URL = {page_url_path(p): p for p in PAGE_PATHS}


def notices(at) -> list[str]:
    """Info and warning texts on the page, without the demo banner and the import page's login notice."""
    return [n.value for n in (*at.info, *at.warning) if "Demodata" not in n.value and "inloggning" not in n.value]


def page_links(at, where: str = "main") -> list[tuple[str, dict]]:
    """(page script, query parameters) of every st.page_link in the main area (or the sidebar)."""
    return [(BY_URL[e.proto.page], {k: v[0] for k, v in parse_qs(e.proto.query_string).items()})
            for e in getattr(at, where).get("page_link")]


OTHER_GOAL_AREA = [
    ("pages/1_god_start.py", "sysselsattningsgrad_20_64", "Sysselsättningsgrad 20–64 år", 2, "pages/2_arbete.py"),
    ("pages/2_arbete.py", "behoriga_gymnasieskolan", None, 1, "pages/1_god_start.py"),
    ("pages/3_boende.py", "ekonomiskt_bistand", None, 2, "pages/2_arbete.py"),
]


@pytest.mark.parametrize("path,indicator,title,goal_area,own", OTHER_GOAL_AREA, ids=[c[0] for c in OTHER_GOAL_AREA])
def test_an_indicator_from_another_goal_area_is_named_and_linked(demo_db, path, indicator, title, goal_area, own):
    at = run_page(path, {"indikator": indicator, "jamfor": "polisen_2025"})
    assert not at.exception, at.exception
    said = [n for n in notices(at) if f"hör till målområde {goal_area}" in n]
    assert len(said) == 1, notices(at)
    assert said[0].startswith("Indikatorn «") and "Här visas «" in said[0]
    if title:
        assert f"«{title}»" in said[0]
    assert at.query_params["indikator"] != indicator, "the page shows one of its own indicators"
    links = [(page, q) for page, q in page_links(at) if q.get("indikator") == indicator]
    assert [page for page, _ in links] == [own], page_links(at)
    assert links[0][1]["jamfor"] == "polisen_2025", "the link keeps the rest of the view"


def test_the_notice_says_what_changed_with_the_indicator(demo_db):
    at = run_page("pages/1_god_start.py", {"indikator": "sysselsattningsgrad_20_64", "ar": "2016", "grupp": "alder"})
    said = next(n for n in notices(at) if "hör till målområde 2" in n)
    shown = at.query_params["indikator"]
    assert f"år {at.query_params['ar']} i stället för 2016" in said
    assert f"i stället för {'ålder'}" in said.lower() and at.query_params["grupp"] != "alder", (shown, said)


def test_the_map_names_an_indicator_it_cannot_draw(demo_db):
    at = run_page("pages/5_karta.py", {"indikator": "forvarvsarbetande_20_64"})
    said = [n for n in notices(at) if "kan inte visas på kartan" in n]
    assert len(said) == 1 and "Förvärvsarbetande" in said[0], notices(at)
    assert any(q.get("indikator") == "forvarvsarbetande_20_64" for _, q in page_links(at))


def test_the_groups_page_names_an_indicator_without_groups(demo_db):
    at = run_page("pages/6_grupper.py", {"indikator": "lag_ekonomisk_standard"})
    said = [n for n in notices(at) if "redovisas inte per grupp" in n]
    assert len(said) == 1, notices(at)
    assert any(q.get("indikator") == "lag_ekonomisk_standard" for _, q in page_links(at))


def test_a_year_outside_the_period_says_which_year_is_shown(demo_db):
    at = run_page("pages/2_arbete.py", {"indikator": "sysselsattningsgrad_20_64", "ar": "2016", "fran": "2018",
                                        "till": "2024"})
    assert "Det finns inga värden för 2016 under perioden 2018–2024; här visas 2024." in notices(at)


def test_a_group_the_indicator_lacks_says_which_group_is_shown(demo_db):
    at = run_page("pages/2_arbete.py", {"indikator": "sysselsattningsgrad_20_64", "grupp": "bakgrund"})
    said = [n for n in notices(at) if n.startswith("Gruppen ")]
    assert len(said) == 1 and said[0].endswith("finns inte för indikatorn; visar kön."), notices(at)


def test_a_level_the_indicator_lacks_says_which_level_is_shown(demo_db):
    at = run_page("pages/2_arbete.py", {"indikator": "ekonomiskt_bistand", "niva": "deso"})
    assert "Nivån DeSO finns inte för indikatorn; visar RegSO." in notices(at)


@pytest.mark.parametrize("path", [p for p in PAGE_PATHS if p != DECK_PAGE])  # the deck's URL has no year
def test_every_page_says_which_year_it_shows_instead(demo_db, path):
    at = run_page(path, {"ar": "2005"})
    assert not at.exception, at.exception
    said = [n for n in notices(at) if n.startswith("Året 2005 finns inte för indikatorn; år blir ")]
    assert len(said) == 1, notices(at)
    assert said[0].endswith(f"blir {at.query_params['ar']}.")


@pytest.mark.parametrize("omrade,left_out,shown", [
    ("1490R025,1490R019", "Hässleholmen", "Här visas Norrby (RegSO)."),
    ("1490", "Hela Borås", "Här visas Områdesutveckling (områdesmängd)."),
])
def test_the_area_page_says_which_areas_it_leaves_out(demo_db, omrade, left_out, shown):
    at = run_page("pages/4_omraden.py", {"omrade": omrade})
    said = [n for n in notices(at) if n.startswith("Sidan visar ett område i taget")]
    assert len(said) == 1 and left_out in said[0] and said[0].endswith(shown), notices(at)


def test_following_the_apps_own_links_brings_no_notice(demo_db):
    at = run_page("app.py")
    links = dict([*page_links(at), *page_links(at, "sidebar")])
    assert set(links) == set(PAGE_PATHS)
    for page, params in links.items():
        followed = run_page(page, params)
        assert not notices(followed), (page, notices(followed))
