"""What every page shares: page setup and banners, the navigation and share link, charts with their
downloads, badges and the footer."""

from __future__ import annotations

import streamlit as st

from shb.analysis.measures import GapTrend, TargetStatus
from shb.core.errors import ShbError
from shb.geo import geometry
from shb.present import charts, provenance, text
from shb.present.urlstate import View
from shb.web import data, site

DEMO_BANNER = text.DEMO_BANNER
SCHEMATIC_NOTE = "Schematisk indelning: kartans områden är förenklade celler, inte verkliga gränser."
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header, footer,
[data-testid="stToolbar"], [data-testid="stDecoration"] { display: none !important; }
.block-container { padding-top: 1.5rem !important; max-width: 100% !important; }
h1 { font-size: 3rem !important; line-height: 1.15 !important; }
p, li { font-size: 1.35rem !important; }
</style>
"""


def setup(title: str, script: str = "app.py") -> dict | None:
    """Page config and the banner for the page in `script` (its path or `__file__`): all demo, how many
    indicators are real and the rest demo, or none when every indicator is real.

    Returns the snapshot row, or None (and a Swedish message on screen) when there is no database.
    """
    st.session_state[site.PAGE_KEY] = site.relative_script(script)
    presentation = st.query_params.get("visning") == "presentation"
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
    with st.expander("Dela vy", icon=":material/share:"):
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
