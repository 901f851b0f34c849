"""The import page (Läs in data): check and load a file, templates, fetching, the import log, versions.

Drawn by pages/8_importera.py, everything behind `access.require_analyst()`. `run_import` and the table
builders have no Streamlit in them; the section functions lay the page out. A load writes a new snapshot
and swaps it in; `shb.db.connect` notices the new file on the next run, so the app shows the new
version at once, without a restart.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from shb.core import paths
from shb.core.errors import ImportFailed, ImportRejected, ShbError, UnknownIndicator
from shb.core.format import number
from shb.core.text import clean_name, spreadsheet_safe_frame
from shb.ingest import importer as ingest
from shb.ingest import templates as filetemplates
from shb.present import views
from shb.store import db as dbmod
from shb.store import snapshots
from shb.store.transaction import describe_os_error
from shb.web import access, ui

PREFIX = "shb_import_"
ROUND = PREFIX + "round"  # bumped after each load, so the uploader starts empty again
CHECKED = PREFIX + "checked"  # the dry run of the upload on screen
FETCHED = PREFIX + "fetched"  # the dry run of the last fetch
DONE = PREFIX + "done"  # what the last load or restore did, shown once after the rerun
RESTORE = PREFIX + "restore"  # the version waiting for the analyst's confirmation
TIMEZONE = "Europe/Stockholm"
TABS = ("Läs in fil", "Mallar", "Hämta från SCB/Kolada", "Inläsningslogg", "Versioner")


@dataclass(frozen=True)
class Checked:
    """A dry run of one upload (or fetch) against one data version: a result or a rejection."""

    key: tuple
    name: str
    result: ingest.ImportResult | None = None
    rejected: ImportRejected | None = None
    fetched: object | None = None  # shb.fetch.Fetched: what a fetch brought, loaded as it was checked


# --- Logic without Streamlit ------------------------------------------------------------------------------

NAME_BYTES = 200  # a file name may have 255 bytes (UTF-8) on common file systems; some room is left


def safe_name(name: str) -> str:
    """The uploaded file's name without folders, control or odd characters (it is shown and logged), cut
    from the front to 120 characters and `NAME_BYTES` bytes in UTF-8, so the extension stays."""
    base = Path(clean_name(str(name)).replace("\\", "/")).name
    base = re.sub(r"[^\w .,()+-]", "_", base).strip(" .")
    base = (base or "uppladdad_fil")[-120:]
    while len(base.encode("utf-8")) > NAME_BYTES:
        base = base[1:]
    return base


def downloadable(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` as the page shows it: st.dataframe offers every table as a CSV download, so no text cell
    may open as a formula in a spreadsheet (`shb.core.text.spreadsheet_safe_frame`)."""
    return spreadsheet_safe_frame(frame)


def _user_text(value) -> str:
    """A name a user or a file gave (a user name, a file name), as stored or logged before names were cleaned."""
    return "" if value is None or value is pd.NA or (isinstance(value, float) and value != value) else clean_name(value)


def run_import(name: str, data: bytes, db: Path, *, dry_run: bool, overwrite: bool,
               analyst: str | None = None) -> ingest.ImportResult:
    """Import the bytes of an upload called `name` into the snapshot at `db` (or check them, `dry_run`).

    The bytes go to a private temporary folder under the file's own name, which the import log records;
    ImportRejected, ImportFailed and DatabaseMissing come from `ingest.import_file` unchanged.
    """
    with tempfile.TemporaryDirectory(prefix="shb_upload_") as folder:
        path = Path(folder) / safe_name(name)
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise ImportFailed(f"Filen kunde inte tas emot: {describe_os_error(exc)}. Inget har skrivits till "
                               "databasen.") from exc
        return ingest.import_file(path, db, dry_run=dry_run, overwrite=overwrite, username=analyst)


def bare(exc: ImportRejected) -> ImportRejected:
    """The rejection without its traceback, whose frames hold the whole parsed file (kept in the session)."""
    return ImportRejected(str(exc), exc.problems, exc.total)


def check_upload(name: str, data: bytes, db: Path) -> Checked:
    """A dry run that also counts values it would change (`overwrite`), so the page can ask first."""
    key = (hashlib.sha256(data).hexdigest(), dbmod.connect(db).version)
    try:
        return Checked(key, safe_name(name), result=run_import(name, data, db, dry_run=True, overwrite=True))
    except ImportRejected as exc:
        return Checked(key, safe_name(name), rejected=bare(exc))
    except ImportFailed as exc:  # the upload could not even be stored for checking
        return Checked(key, safe_name(name), rejected=ImportRejected(str(exc)))


def counts_table(result: ingest.ImportResult, titles: dict[str, str]) -> pd.DataFrame:
    """New, changed and unchanged values per indicator and year, with Swedish headings."""
    c = result.by_indicator_year
    return downloadable(pd.DataFrame({
        "Indikator": c.indicator_id.map(titles).fillna(c.indicator_id), "Id": c.indicator_id,
        "År": c.year.astype(int), "Nya": c["ny"].astype(int), "Ändrade": c["ändrad"].astype(int),
        "Oförändrade": c["oförändrad"].astype(int)}))


def problems_table(exc: ImportRejected) -> pd.DataFrame:
    """The problems of a rejected file: row, column, value and reason."""
    frame = pd.DataFrame(
        [{"Rad": p.row, "Kolumn": p.column or "", "Värde": "" if p.value is None else str(p.value),
          "Orsak": p.reason} for p in exc.problems], columns=["Rad", "Kolumn", "Värde", "Orsak"])
    frame["Rad"] = frame["Rad"].astype("Int64")
    return downloadable(frame)


def headline(exc: ImportRejected) -> str:
    return str(exc).splitlines()[0] if str(exc) else "Filen avvisades. Inget har skrivits till databasen."


def _local(value) -> str:
    """A timestamp as 'YYYY-MM-DD HH:MM', Swedish time."""
    if value is None or value is pd.NaT:
        return ""
    ts = pd.Timestamp(value)
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts
    return ts.tz_convert(TIMEZONE).strftime("%Y-%m-%d %H:%M")


RESULT_TEXT = {"inläst": "inläst", "inläst med --replace": "inläst, befintliga värden ersatta"}


def log_table(log: pd.DataFrame) -> pd.DataFrame:
    """The import log (the named query `import_log`) with Swedish headings."""
    return downloadable(pd.DataFrame({
        "Tid": log.logged_at.map(_local), "Vem": log.username.map(_user_text), "Fil": log.file_name.map(_user_text),
        "SHA-256": log.sha256.str[:12], "Rader": log["rows"].astype(int), "Nya": log.new_values.astype(int),
        "Ändrade": log.changed_values.astype(int), "Oförändrade": log.unchanged_values.astype(int),
        "Resultat": log.result.map(lambda r: RESULT_TEXT.get(r, r)), "Version": log.version}))


def snapshot_table(entries: list[snapshots.SnapshotInfo]) -> pd.DataFrame:
    """Kept versions and the current one, newest first."""
    rows = [{"Version": e.version, "Skapad": _local(e.created_at) if e.created_at else "",
             "Innehåll": e.error or e.what,
             "Observationer": "" if e.observations is None else number(e.observations, 0),
             "Aktuell": "aktuell" if e.current else ""} for e in reversed(entries)]
    return downloadable(pd.DataFrame(rows, columns=["Version", "Skapad", "Innehåll", "Observationer", "Aktuell"]))


def count(n: int, one: str, many: str) -> str:
    """'1 värde', '1 234 värden'."""
    return f"{number(n, 0)} {one if n == 1 else many}"


def counts_text(result: ingest.ImportResult) -> str:
    return (f"{count(result.new, 'nytt värde', 'nya värden')}, {number(result.changed, 0)} ändrade, "
            f"{number(result.unchanged, 0)} oförändrade")


def loaded_message(result: ingest.ImportResult) -> str:
    counts = counts_text(result)
    if result.version is None:
        return f"{result.file_name}: {counts}. Inget nytt att läsa in; databasen är oförändrad."
    return (f"Läste in {result.file_name}: {counts}. Ny version {result.version}, som appen nu visar. "
            f"Den tidigare versionen {result.based_on} är sparad och kan återställas under Versioner.")


# --- The page -----------------------------------------------------------------------------------------------

def page(snap: dict, fetch_section: Callable[[Path, str], None] | None = None) -> None:
    """The whole page. `fetch_section(db, analyst)` draws the tab "Hämta från SCB/Kolada"; by default
    `fetch_from_source`, which uses shb.fetch when that module offers `fetch_indicator`."""
    view = ui.current_view()
    ui.navigation(view)
    st.title("Läs in data")
    st.markdown("Läs in nya värden från en fil i långt format. Filen kontrolleras först och inget skrivs förrän "
                "du väljer **Läs in**; den tidigare versionen av databasen sparas och kan återställas.")
    analyst = access.require_analyst()
    if analyst is None:
        ui.footer(snap)
        return
    db = paths.default_db()
    done = st.session_state.pop(DONE, None)
    if done:
        st.success(done, icon=":material/check_circle:")
    upload, templates, fetching, log, versions = st.tabs(TABS)
    with upload:
        upload_section(db, analyst)
    with templates:
        template_section(db, view.indikator)
    with fetching:
        (fetch_section or fetch_from_source)(db, analyst)
    with log:
        log_section(db)
    with versions:
        versions_section(db)
    ui.footer(snap)


def _titles(db: Path) -> dict[str, str]:
    return {i: ind.title for i, ind in views.indicators(dbmod.connect(db)).items()}


def upload_section(db: Path, analyst: str) -> None:
    limit = ingest.upload_limit_bytes() // ingest.MB
    upload = st.file_uploader(
        f"CSV- eller Excel-fil (.xlsx), högst {limit} MB", type=["csv", "xlsx"],
        key=f"{PREFIX}file_{st.session_state.get(ROUND, 0)}",
        help="En rad per indikator, område, år och grupp, med kolumnerna indikator, omrade, ar och varde "
             "(och gärna grupp_typ, grupp, taljare, namnare, ki_lag, ki_hog, status). Se fliken Mallar.")
    if upload is None:
        st.session_state.pop(CHECKED, None)
        return
    data = upload.getvalue()
    checked = st.session_state.get(CHECKED)
    key = (hashlib.sha256(data).hexdigest(), dbmod.connect(db).version)
    if checked is None or checked.key != key:
        with st.spinner("Kontrollerar filen …"):
            checked = check_upload(upload.name, data, db)
        st.session_state[CHECKED] = checked
    show_checked(checked, db)
    if checked.result is not None:
        load_controls(checked.result, "file", lambda overwrite: run_import(
            upload.name, data, db, dry_run=False, overwrite=overwrite, analyst=analyst))


def show_checked(checked: Checked, db: Path) -> None:
    """The dry run: counts per indicator and year, or the whole problem report."""
    if checked.rejected is not None:
        show_rejection(checked.rejected)
        return
    r = checked.result
    st.info(f"Provkörning av {r.file_name}: {counts_text(r)}. Inget har skrivits ännu.", icon=":material/fact_check:")
    st.dataframe(counts_table(r, _titles(db)), hide_index=True, width="stretch")


def show_rejection(exc: ImportRejected) -> None:
    st.error(headline(exc), icon=":material/block:")
    st.dataframe(problems_table(exc), hide_index=True, width="stretch")
    shown, total = len(exc.problems), exc.total
    if total > shown:
        st.caption(f"Visar de första {number(shown, 0)} av {number(total, 0)} problemen. Rätta dem och läs in "
                   "filen igen för att se resten.")
    else:
        st.caption(f"{number(total, 0)} problem totalt. Rätta filen och läs in den igen.")
    with st.expander("Hela rapporten som text"):
        st.code(str(exc), language=None, wrap_lines=True)


def load_controls(result: ingest.ImportResult, key: str, load: Callable[[bool], ingest.ImportResult]) -> None:
    """"Ersätt befintliga värden" when the data would change stored values, and the "Läs in" button."""
    if result.new + result.changed == 0:
        st.info("Allt i filen finns redan i databasen med samma uppgifter; det finns inget att läsa in.",
                icon=":material/info:")
        return
    replace = False
    if result.changed:
        replace = st.checkbox(f"Ersätt befintliga värden ({count(result.changed, 'värde', 'värden')} finns redan "
                              "med andra uppgifter)", key=f"{PREFIX}replace_{key}")
        if not replace:
            st.caption("Filen ändrar värden som redan finns. Kryssa i rutan för att ersätta dem, eller ta bort de "
                       "raderna ur filen. Den nuvarande versionen sparas och kan återställas.")
    if not st.button("Läs in", type="primary", icon=":material/upload:", key=f"{PREFIX}load_{key}",
                     disabled=bool(result.changed) and not replace):
        return
    try:
        with st.spinner("Läser in …"):
            loaded = load(replace)
    except ImportRejected as exc:
        show_rejection(exc)
        return
    except ShbError as exc:
        st.error(str(exc), icon=":material/error:")
        return
    st.session_state[DONE] = loaded_message(loaded)
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1
    st.session_state.pop(CHECKED, None)
    st.session_state.pop(FETCHED, None)
    show_version(loaded.version)


def show_version(version: str | None) -> None:
    """Show `version` from now on: no pinned older version, and the URL names it (so no "the link was made
    on other data" notice), then run the page again on it."""
    if version:
        st.session_state.pop(ui.PIN_KEY, None)
        st.query_params["v"] = version
    st.rerun()


def template_section(db: Path, default: str) -> None:
    current = dbmod.connect(db)
    inds = views.indicators(current)
    options = list(inds)
    chosen = st.selectbox("Indikator", options, index=options.index(default) if default in options else 0,
                          format_func=lambda i: ui.indicator_label(inds[i]), key=f"{PREFIX}template_indicator")
    t = filetemplates.template(current, chosen)
    st.markdown(f"Mallen har en rad per område ({count(len(t.areas), 'rad', 'rader')}) för år {t.year}, med "
                f"indikatorns id ifyllt och tomma värden (enhet: {t.unit_label}). Fyll i kolumnen varde och läs "
                "in filen som den är under fliken *Läs in fil*.")
    st.caption(filetemplates.group_text(t))
    left, right = st.columns(2)
    left.download_button("Ladda ner CSV-mall", data=lambda: filetemplates.to_csv(t), file_name=t.file_name("csv"),
                         mime="text/csv", icon=":material/csv:", on_click="ignore", key=f"{PREFIX}template_csv")
    right.download_button("Ladda ner Excel-mall", data=lambda: filetemplates.to_xlsx(t),
                          file_name=t.file_name("xlsx"), mime=filetemplates.XLSX_MIME, icon=":material/table:",
                          on_click="ignore", key=f"{PREFIX}template_xlsx")
    st.caption("CSV-mallen är semikolonseparerad och kodad som UTF-8 med BOM, så att Excel visar å, ä och ö. "
               "Excel-mallen har en flik med instruktioner: kolumnerna, statusarna och tillåtna områden och grupper.")
    try:
        survey = filetemplates.survey_template(current)
    except UnknownIndicator:  # a snapshot from before the survey's indicators existed
        return
    st.download_button(f"Ladda ner mall för {survey.survey} (alla dess indikatorer)",
                       data=lambda: filetemplates.survey_csv(survey), file_name=survey.file_name("csv"),
                       mime="text/csv", icon=":material/elderly:", on_click="ignore", key=f"{PREFIX}template_survey")


def log_section(db: Path) -> None:
    log = dbmod.connect(db).run("import_log")
    if log.empty:
        st.info("Inga filer har lästs in i den här versionen av databasen än.", icon=":material/history:")
        return
    st.caption("De senaste inläsningarna, nyast först. Loggen följer med varje ny version.")
    st.dataframe(log_table(log), hide_index=True, width="stretch")


def versions_section(db: Path) -> None:
    entries = snapshots.list_snapshots(db)
    st.dataframe(snapshot_table(entries), hide_index=True, width="stretch")
    current = next(e for e in entries if e.current)
    kept = [e for e in reversed(entries) if not e.current and not e.error and e.version != current.version]
    if not kept:
        st.caption("Det finns inga sparade tidigare versioner att återställa än.")
        return
    labels = {e.version: f"{e.version} · {e.what}" for e in kept}
    chosen = st.selectbox("Version att återställa", list(labels), format_func=labels.get,
                          key=f"{PREFIX}restore_choice")
    if st.session_state.get(RESTORE) != chosen:
        if st.button("Återställ vald version …", icon=":material/restore:", key=f"{PREFIX}restore_ask"):
            st.session_state[RESTORE] = chosen
            st.rerun()
        return
    st.warning(f"Vill du göra version {chosen} till den aktuella? Den nuvarande versionen {current.version} sparas "
               "och kan återställas igen.", icon=":material/warning:")
    yes, no = st.columns(2)
    if no.button("Avbryt", key=f"{PREFIX}restore_no"):
        st.session_state.pop(RESTORE, None)
        st.rerun()
    if yes.button(f"Ja, återställ {chosen}", type="primary", key=f"{PREFIX}restore_yes"):
        st.session_state.pop(RESTORE, None)
        try:
            result = snapshots.restore(db, chosen)
        except ShbError as exc:
            st.error(str(exc), icon=":material/error:")
            return
        st.session_state[DONE] = (f"Återställde version {chosen}, som appen nu visar. Versionen som ersattes "
                                  f"({result.previous_version}) är sparad och kan återställas igen.")
        show_version(chosen)


# --- Hämta från SCB/Kolada ----------------------------------------------------------------------------------

def fetch_from_source(db: Path, analyst: str) -> None:
    """Fetch one indicator from SCB or Kolada: checked first (a dry run), then loaded like a file."""
    from shb.ingest import fetch

    sources = fetch.SOURCES
    source = st.radio("Källa", list(sources), format_func=sources.get, horizontal=True, key=f"{PREFIX}fetch_source")
    inds = views.indicators(dbmod.connect(db))
    options = [i for i in fetch.fetchable(source) if i in inds]
    if not options:
        st.info(f"Ingen indikator har ännu en koppling till {sources[source]} i katalogen.", icon=":material/info:")
        return
    chosen = st.selectbox("Indikator", options, format_func=lambda i: ui.indicator_label(inds[i]),
                          key=f"{PREFIX}fetch_indicator")
    this_year = date.today().year
    first, last = st.select_slider("År", options=list(range(2000, this_year + 1)),
                                   value=(this_year - 5, this_year - 1), key=f"{PREFIX}fetch_years")
    years = list(range(int(first), int(last) + 1))
    key = (source, chosen, tuple(years), dbmod.connect(db).version)
    checked = st.session_state.get(FETCHED)
    warning = fetch.unconfirmed_warning(source, chosen)
    if warning:
        st.warning(warning, icon=":material/warning:")
    if st.button("Hämta och kontrollera", icon=":material/cloud_download:", key=f"{PREFIX}fetch_check"):
        fetched = None
        try:
            with st.spinner(f"Hämtar från {sources[source]} …"):
                fetched = fetch.fetch_values(source, chosen, years)
                if not fetched.values:
                    raise ShbError(" ".join([f"{fetched.name} gav inga värden för de valda åren.", *fetched.notes,
                                             "Inget har skrivits."]))
                checked = Checked(key, chosen, result=fetch.load_fetched(fetched, db, dry_run=True, overwrite=True),
                                  fetched=fetched)
        except ImportRejected as exc:
            checked = Checked(key, chosen, rejected=bare(exc))
        except ShbError as exc:
            st.error(str(exc), icon=":material/error:")
            checked = None
        st.session_state[FETCHED] = checked
    if checked is None or checked.key != key:
        return
    for note in checked.fetched.notes if checked.fetched is not None else ():
        st.info(note, icon=":material/info:")  # what was skipped or assumed (absent years, deleted values …)
    show_checked(checked, db)
    if checked.result is not None:
        load_controls(checked.result, "fetch", lambda overwrite: fetch.load_fetched(
            checked.fetched, db, dry_run=False, overwrite=overwrite, username=analyst))
