"""The Bildspel page: with `bild=N` the deck's slide N on one screen, with links and the arrow keys
to the neighbouring slides; without it the deck's slides listed, the export (PowerPoint, PDF) and,
for analysts, saving a named deck."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from shb.core.errors import ShbError
from shb.present import deck, text, urlstate
from shb.store import db as dbmod
from shb.web import data, presentation, site, state
from shb.web.data import PIN_KEY
from shb.web.layout import footer, navigation
from shb.web.notes_form import plain

PREV_KEY, NEXT_KEY = "deck_prev", "deck_next"


def _asked() -> urlstate.View:
    """The page's parameters, checked as every link's are (a bad `bild` gets a Swedish notice)."""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    f = data.facts()
    asked = urlstate.parse(params, f)
    for notice in asked.notices:
        st.warning(notice, icon=":material/link_off:")
    state.version_notice(asked.v, f.version)
    return replace(asked, v=f.version, notices=())


def deck_slides(view: urlstate.View) -> tuple[str, list[str]]:
    """The deck's title and slide URLs: a saved deck (`bildspel`) or the default deck for the set."""
    if view.bildspel:
        saved = data.frame("deck_by_id", deck_id=view.bildspel) if has_decks() else data.frame("programme").iloc[0:0]
        if not saved.empty:
            return saved.title.iloc[0], list(saved.slides.iloc[0])
        st.warning(text.unknown_deck(view.bildspel), icon=":material/link_off:")
    return text.DEFAULT_DECK_TITLE, deck.default_deck(data.overview(view.jamfor), view.jamfor)


def has_decks() -> bool:
    """Whether the snapshot has the table of saved decks (older snapshots do not)."""
    return "deck" in set(data.frame("snapshot_tables").table_name)


def deck_params(view: urlstate.View, bild: int | None) -> dict[str, str]:
    """The page's own canonical parameters: the deck, the set and the slide."""
    params = {"bildspel": view.bildspel, "jamfor": view.jamfor, "bild": str(bild) if bild else "", "v": view.v}
    return {k: v for k, v in params.items() if v}


def page(snap: dict) -> None:
    view = _asked()
    title, slides = deck_slides(view)
    if "bild" in st.query_params and slides:
        show_slide(view, slides)
    else:
        overview(view, title, slides, snap)


def show_slide(view: urlstate.View, slides: list[str]) -> None:
    """Slide `bild` of the deck, then a row: previous, where we are, next (also ← and →)."""
    n = view.bild or 1
    if n > len(slides):
        st.warning(text.slide_out_of_range(n, len(slides)), icon=":material/link_off:")
        n = len(slides)
    if deck_params(view, n) != {k: st.query_params.get(k) for k in st.query_params}:
        st.query_params.from_dict(deck_params(view, n))
    shown = presentation.slide_of_url(slides[n - 1])
    if shown is None:
        st.warning(text.slide_not_shown(slides[n - 1]), icon=":material/link_off:")
    else:
        presentation.show(shown, key=f"slide_{n}")
    _step_row(view, n, len(slides))


def _step_row(view: urlstate.View, n: int, total: int) -> None:
    """Previous, where we are, next. The buttons carry Streamlit's keyboard shortcuts ← and →, and the
    address bar the slide's link (`bild`); a page link to this same page would rerun with the new
    parameters but leave the address as it was (Streamlit 1.67)."""
    with st.container(horizontal=True, horizontal_alignment="distribute", vertical_alignment="center",
                      key="deck_steps"):
        back = st.button("Föregående", key=PREV_KEY, icon=":material/arrow_back:", shortcut="Left",
                         disabled=n <= 1, type="tertiary")
        st.markdown(f":gray[{text.slide_position(n, total)}]")
        forward = st.button("Nästa", key=NEXT_KEY, icon=":material/arrow_forward:", shortcut="Right",
                            disabled=n >= total, type="tertiary")
    if back or forward:
        st.query_params.from_dict(deck_params(view, n - 1 if back else n + 1))
        st.rerun()


def overview(view: urlstate.View, title: str, slides: list[str], snap: dict) -> None:
    """The deck's slides as links, the start link, the exports, the saved decks and (analysts) saving one."""
    navigation()
    if deck_params(view, None) != {k: st.query_params.get(k) for k in st.query_params}:
        st.query_params.from_dict(deck_params(view, None))
    st.title(f"Bildspel: {title}")
    st.page_link(site.DECK_PAGE, label="Starta bildspelet", icon=":material/play_arrow:",
                 query_params=deck_params(view, 1))
    st.caption(text.DECK_HELP)
    for n, url in enumerate(slides, start=1):
        shown = presentation.slide_of_url(url)
        label = text.slide_label(n, shown.title if shown else url)
        st.page_link(site.DECK_PAGE, label=label, query_params=deck_params(view, n))
    export_buttons(title, slides, snap)
    saved_decks(view)
    save_form(slides)
    footer(snap)


def export_buttons(title: str, urls: list[str], snap: dict) -> None:
    """PowerPoint and PDF of the deck, built when a button is pressed."""
    from shb.present import report, slides

    st.header("Ladda ner", anchor=False)
    d = data.database()
    name = text.deck_file_name(title, snap["version"])
    left, right = st.columns(2)
    left.download_button("PowerPoint (.pptx)", icon=":material/slideshow:", on_click="ignore",
                         data=lambda: slides.to_pptx(slides.build_slides(d, urls), d.version),
                         file_name=f"{name}.pptx", mime=slides.DECK_MIME)
    try:
        report.chromium_binary()
    except ShbError:
        right.caption(text.DECK_PDF_NEEDS_CHROMIUM)
    else:
        right.download_button("PDF", icon=":material/picture_as_pdf:", on_click="ignore",
                              data=lambda: slides.pdf_bytes(slides.build_slides(d, urls)),
                              file_name=f"{name}.pdf", mime="application/pdf")
    st.caption(text.DECK_EXPORT_NOTE)


def saved_decks(view: urlstate.View) -> None:
    """Links to the default deck and every saved deck."""
    st.header("Sparade bildspel", anchor=False)
    st.page_link(site.DECK_PAGE, label=text.DEFAULT_DECK_TITLE, query_params={"jamfor": view.jamfor})
    decks = data.frame("decks") if has_decks() else None
    if decks is None or decks.empty:
        st.caption(text.NO_SAVED_DECKS)
        return
    for r in decks.itertuples():
        st.page_link(site.DECK_PAGE, label=f"{plain(r.title)} ({len(r.slides)} bilder, {plain(r.author)})",
                     query_params={"bildspel": r.id, "jamfor": view.jamfor})


def save_form(slides: list[str]) -> None:
    """Save a named deck (analysts only): a title and one view URL a line; written as a new data version."""
    from shb.ingest import decks
    from shb.web import access

    if not st.toggle("Spara ett bildspel", key="shb_deck_toggle"):
        return
    author = access.require_analyst()
    if author is None:
        return
    with st.form("shb_deck_form"):
        title = st.text_input("Titel", max_chars=decks.MAX_TITLE, placeholder="t.ex. Ledningsgruppen maj")
        typed = st.text_area("Vyer, en länk per rad", value="\n".join(slides), height=220,
                             help=text.DECK_URL_HELP)
        if not st.form_submit_button("Spara bildspelet", icon=":material/save:"):
            return
    try:
        result = decks.save(dbmod.connect().path, title, decks.slide_lines(typed), author)
    except ShbError as exc:
        st.error(str(exc))
        return
    st.session_state.pop(PIN_KEY, None)
    st.toast(text.deck_saved(result.deck_id, result.version), icon=":material/check:")
    st.query_params.from_dict({"bildspel": result.deck_id})
    st.rerun()
