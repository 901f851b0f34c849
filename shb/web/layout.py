"""What every page shares: page setup and banners, the navigation and share link, charts with their
downloads, badges and the footer."""

from __future__ import annotations

import streamlit as st

from shb.analysis.measures import GapTrend, TargetStatus
from shb.core.errors import ShbError
from shb.geo import geometry
from shb.present import charts, provenance, tables, text
from shb.present.urlstate import View
from shb.web import data, site

DEMO_BANNER = text.DEMO_BANNER
SCHEMATIC_NOTE = "Schematisk indelning: kartans områden är förenklade celler, inte verkliga gränser."
# Presentation mode fits one screen (1280×720 up to 1920×1080) without scrolling: the main block is a
# column as tall as the viewport, the title and caption take what they need, and a chart shown with
# `fitted_chart` (height "stretch") gets the rest. The title is at most two lines (clamped as a guard).
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header, footer,
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
[data-testid="stMainBlockContainer"] { padding: 0.9rem 2.5rem 0.2rem !important; max-width: 100% !important;
  height: 100vh; display: flex; flex-direction: column; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] { flex: 1 1 auto; min-height: 0;
  gap: 0.45rem; }
[data-testid="stMainBlockContainer"] > [data-testid="stVerticalBlock"] > :not(:has([data-testid="stVegaLiteChart"])) {
  flex-shrink: 0; }
h1 { font-size: clamp(1.5rem, 4.1vh, 2.9rem) !important; line-height: 1.18 !important; padding: 0 !important;
  display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; }
[data-testid="stHeading"] [data-testid="stMarkdownContainer"] { margin-bottom: 0 !important; }
p, li { font-size: clamp(1rem, 2.2vh, 1.35rem) !important; }
[data-testid="stCaptionContainer"] p { font-size: clamp(0.8rem, 1.7vh, 1.05rem) !important; white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
[data-testid="stAlert"] > div { padding: 0.2rem 0.8rem !important; }
[data-testid="stAlert"] p { font-size: clamp(0.85rem, 1.8vh, 1.1rem) !important; }
.st-key-deck_steps { min-height: 2.6rem; align-items: center; overflow: hidden; }
</style>
"""

def setup(title: str, script: str = "app.py") -> dict | None:
    """Page config and the banner for the page in `script` (its path or `__file__`): all demo, how many
    indicators are real and the rest demo, or none when every indicator is real.

    Returns the snapshot row, or None (and a Swedish message on screen) when there is no database.
    """
    st.session_state[site.PAGE_KEY] = site.relative_script(script)
    presentation = (st.query_params.get("visning") == "presentation"
                    or (site.relative_script(script) == site.DECK_PAGE and "bild" in st.query_params))
    st.set_page_config(page_title=f"{title} · {site.APP_TITLE}", page_icon=":material/query_stats:",
                       layout="wide", initial_sidebar_state="collapsed" if presentation else "auto")
    try:
        snap = data.frame("snapshot").iloc[0].to_dict()
    except ShbError as exc:
        st.error(str(exc))
        return None
    if presentation:
        st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    banner = source_banner(presentation)
    if banner:
        st.warning(banner, icon=":material/science:")
    return snap


def source_banner(presentation: bool = False) -> str | None:
    """The banner's words for the session's snapshot, counted per indicator (never its snapshot-wide flag).

    In presentation mode a mixed database has none: the one indicator shown says itself whether it is
    real (its source) or demo, and a count of other indicators would only distract the room.
    """
    counts = data.summary()
    if presentation and counts.kind == "mixed":
        return None
    if presentation and counts.kind == "demo":  # compact, one line, still read from the back of the room
        return f"**{text.DEMO_TEXT}**"
    return text.source_banner(counts.real, counts.demo)


def navigation(view: View | None = None) -> None:
    """Our own navigation in the sidebar (the default one is hidden in .streamlit/config.toml)."""
    with st.sidebar:
        st.markdown(f"### {site.APP_TITLE}")
        section = None
        for page in site.PAGES:
            if page.section != section and page.section:
                st.caption(page.section)
            section = page.section
            st.page_link(page.path, label=page.label, icon=page.icon,
                         query_params=site.page_params(view, page.path) if view else None)
        if view is not None:
            share_link(view)


def share_link(view: View) -> None:
    """The view's link with a copy button, in a popover: Streamlit draws a popover's content only when it
    is opened, and the code block's highlighter costs every page load a third of a second of the
    browser's CPU when it is drawn in a closed expander (bench/browser_cpu.py)."""
    with st.popover("Dela vy", icon=":material/share:", width="stretch"):
        st.code(site.share_url(view, site.this_page(), site.public_base()), language=None, wrap_lines=True)
        st.caption("Länken bär hela vyn och dataversionen; den som öppnar den ser samma sak.")


def chart(spec, key: str | None = None, **kwargs):
    """Show a chart full width (the one place charts reach the page); `spec` is an Altair chart
    or its Vega-Lite dict (as cached by `data.spec_of`).

    The builders set autosize "fit-x" (shb.charts.finish_chart): width follows the page and the
    height is the plot's own, where Streamlit's default "fit" would squeeze titles into it.
    """
    spec = spec if isinstance(spec, dict) else spec.to_dict()
    return st.vega_lite_chart(spec, width="stretch", theme=None, key=key, **kwargs)


# --- presentation mode: one screen, no scrolling ---------------------------------------------------
#
# How a page uses it (`setup` already adds PRESENTATION_CSS when the URL has `visning=presentation`):
#
#     if view.presentation:
#         slide = deck.chart_slide(stating_title, spec, sentence, demo)   # shb.present.deck: the chart
#         presentation.show(slide, key="...")                            # without its title, its subtitle
#         return                                                         # lines as one caption line
#
# `presentation.show` (shb.web.presentation) is `presentation_header` + `demo_flag` + `fitted_chart`; use
# them one by one for another layout. The title states the message in at most two lines; the caption
# is one small line (direction, source, demo, schematic); the demo flag is the compact one-line warning
# from `setup` (all demo) or `demo_flag` (a demo indicator among real ones); the one chart given to
# `fitted_chart` takes the height that is left (put nothing tall after it). A page whose URL is a
# slide of its own can be added to the bildspel by extending `shb.present.deck.build_slide`.

def presentation_header(title: str, caption: str = "") -> None:
    """The stating title (two lines at most) and the one small caption line of a presentation view."""
    st.title(title, anchor=False)
    if caption:
        st.caption(caption)


def demo_flag(demo: bool) -> None:
    """The compact demo flag for one indicator's values, when the page banner does not already say it."""
    if demo and data.summary().kind != "demo":
        st.warning(f"**{text.DEMO_TEXT}**", icon=":material/science:")


def fitted_chart(spec: dict, key: str | None = None, **kwargs):
    """A chart that fills the height left on a presentation screen (the CSS makes the main block as
    tall as the viewport, and Streamlit's "stretch" height gives the chart what remains). The plot
    follows the container in both directions ("fit"), so title-less legends and axes stay inside it."""
    spec = {**spec, "autosize": {"type": "fit", "contains": "padding"}, "height": "container"}
    return st.vega_lite_chart(spec, width="stretch", height="stretch", theme=None, key=key, **kwargs)


# A table on a presentation screen shows whole rows only, as many as fit at 1280×720 under a two-line title,
# the caption, the demo flag and a control row; the page says how many more there are (`text.rows_shown`).
TABLE_ROW_PX = 35  # Streamlit's dataframe row (and header) height


def fitted_table(data, **kwargs):
    """A dataframe on a presentation screen: exactly as tall as its rows (no inner scrolling, no empty row)
    and as wide as the screen; its columns must be given widths that fit 1280 px (no horizontal scroll)."""
    rows = len(getattr(data, "data", data))  # a pandas Styler keeps its frame in `.data`
    height = TABLE_ROW_PX * (rows + 1) + 3
    return st.dataframe(data, hide_index=True, width="stretch", height=height, row_height=TABLE_ROW_PX, **kwargs)


# Rows up to which a table's cells are coloured. Streamlit draws a styled table cell by cell (pandas'
# Styler): about 30 µs a cell, 2.1 s of a cold Översikt at 100× the catalog. A larger table (a catalog far
# beyond Borås's) is shown without the colours; the words in the coloured cells say the same.
STYLED_ROWS = 200


def styled_if_short(table, style):
    """`style(table.style)`, the table with its cells coloured, or `table` plain when it has more than
    STYLED_ROWS rows."""
    return style(table.style) if len(table) <= STYLED_ROWS else table


def trend_styled(table, better: list):
    """`table` with its trend cells coloured by whether the set moved the better way (`tables.trend_cell_styles`),
    up to STYLED_ROWS rows."""
    return styled_if_short(table, lambda s: s.apply(lambda _: tables.trend_cell_styles(table, better), axis=None))


def downloads(spec: dict, name: str) -> None:
    """Download buttons for a chart as PNG and SVG (rendered on demand)."""
    left, right = st.columns(2)
    left.download_button("Ladda ner PNG", data=lambda: charts.export_png(spec), file_name=f"{name}.png",
                         mime="image/png", icon=":material/image:", on_click="ignore")
    right.download_button("Ladda ner SVG", data=lambda: charts.export_svg(spec), file_name=f"{name}.svg",
                          mime="image/svg+xml", icon=":material/draw:", on_click="ignore")


def schematic_note(manifest: dict, level: str) -> None:
    if not geometry.is_schematic(manifest, level):
        return
    derived = (manifest.get("levels", {}).get(level) or {}).get("derived_from")
    st.caption(f"{SCHEMATIC_NOTE} {geometry.source_text(manifest, level)}." if derived else SCHEMATIC_NOTE)


def verdict_badge(trend: GapTrend) -> str:
    """The gap's trend in words with a direction-aware colour (Streamlit markdown colours)."""
    colour, words = text.verdict_badge(trend)
    return f":{colour}[{words}]" if trend.verdict == "okänd" else f":{colour}-badge[{words}]"


def status_badge(status: TargetStatus) -> str:
    """An effektmål's status as a coloured badge, with how it was reached."""
    colour, words, how = text.target_status_badge(status)
    return f":{colour}-badge[{words}] :gray[{how}]"


def footer(snap: dict) -> None:
    counts = data.summary()
    st.caption(f"Dataversion {snap['version']} · {text.source_footer(counts.real, counts.demo)}")


def origin_badge(origin: provenance.Origin) -> str:
    """Where the values shown come from, as markdown: an orange demo badge, or the source in grey."""
    if origin.demo:
        return f":orange-badge[:material/science: {origin.citation}]"
    return f":gray[{origin.citation}]"
