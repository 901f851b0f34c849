"""Real or demo, per indicator, everywhere the reader can tell (the real-where-possible database).

For every indicator: its pages (målområde, Karta, Grupper), every chart spec, the tables, the CSV and
Excel downloads, compare --json and the report. A real indicator's output never says demodata and names
its source record's citation; a demo indicator's output always says Demodata; tables that list many
indicators mark each row. The oracle for real or demo is the observations' own is_demo, read here with
duckdb (independently of shb.present.provenance), and the citation is the source_record row.
"""

from __future__ import annotations

import html
import io
import json
import re
import shutil
from dataclasses import replace

import duckdb
import pandas as pd
import pytest

from shb.core.catalog import load_catalog
from shb.present import charts, compare, export, provenance, report, tables, text, urlstate, views
from shb.store import db as dbmod
from tests.pages import charts as page_charts
from tests.pages import run_page

CAT = load_catalog()
INDICATORS = [i.id for i in CAT.indicators]
GOAL_AREA_PAGES = {1: "pages/1_god_start.py", 2: "pages/2_arbete.py", 3: "pages/3_boende.py"}
DEMO_WORD = re.compile("demodata", re.IGNORECASE)
REPORT_YEAR = 2023


def truth(path) -> dict[str, tuple[bool, str | None]]:
    """indicator → (demo, citation) straight from the file: any generated observation makes it demo."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        flags = dict(con.execute("select indicator_id, bool_or(is_demo) from observation group by 1").fetchall())
        tables_ = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
        cited = dict(con.execute("select subject, citation from source_record").fetchall()) \
            if "source_record" in tables_ else {}
    finally:
        con.close()
    return {i: (flags.get(i, True), cited.get(i)) for i in INDICATORS}


@pytest.fixture(scope="module")
def real(real_db):
    return truth(real_db)


@pytest.fixture(scope="module")
def database(real_db):
    return dbmod.Database(real_db)


@pytest.fixture(scope="module")
def facts(database):
    return views.facts(database)


def real_ids(real) -> list[str]:
    return [i for i, (demo, _) in real.items() if not demo]


def says_demo(value: str) -> bool:
    return bool(DEMO_WORD.search(value))


def check(outputs: dict[str, str], demo: bool, citation: str | None, where: str) -> list[str]:
    """Problems with what one indicator's outputs say: demo must say demodata (each output); real must
    never say it, and every output must name the citation."""
    problems = []
    for name, said in outputs.items():
        if demo and not says_demo(said):
            problems.append(f"{where} {name}: demo indicator, but demodata is not said")
        if not demo and says_demo(said):
            problems.append(f"{where} {name}: real indicator, but demodata is said")
        if not demo and citation not in said:
            problems.append(f"{where} {name}: real indicator, but its citation {citation!r} is not named")
    return problems


def subtitle(spec: dict) -> str:
    title = spec.get("title")
    return " | ".join(title.get("subtitle", [])) if isinstance(title, dict) else ""


# --- the one place -----------------------------------------------------------------------------------

def test_the_real_database_is_mixed_and_every_indicator_has_its_answer(database, real):
    origins = provenance.sources(database)
    assert list(origins) == INDICATORS, "every indicator, in catalog order"
    assert 15 <= len(real_ids(real)) < len(INDICATORS)
    for i, (demo, citation) in real.items():
        o = origins[i]
        assert o.demo == demo, i
        assert o.citation == (text.DEMO_TEXT if demo else citation), i
        assert not o.mixed and o.recorded == (not demo), i
    counts = provenance.summary(database)
    assert (counts.real, counts.demo, counts.kind) == (len(real_ids(real)), len(INDICATORS) - len(real_ids(real)),
                                                       "mixed")
    assert provenance.population(database).citation.startswith("Källa: SCB")


def test_a_caller_cannot_label_real_values_demo_or_demo_values_real(database, facts, real):
    first_real, first_demo = real_ids(real)[0], next(i for i in INDICATORS if real[i][0])
    view = urlstate.defaults_for(facts, first_real)
    assert views.comparison(database, view, demo=False).citation == real[first_real][1]
    with pytest.raises(ValueError, match="riktiga värden"):
        views.comparison(database, view, demo=True)
    with pytest.raises(ValueError, match="demodata"):
        views.comparison(database, urlstate.defaults_for(facts, first_demo), demo=False)
    with pytest.raises(ValueError, match="must say demodata"):
        charts.trend_chart(pd.DataFrame({"year": [2020], "series": ["city"], "label": ["Hela Borås"], "value": [1.0],
                                         "ci_low": [None], "ci_high": [None]}),
                           title="t", unit_label="%", direction_label="d", demo=True, citation="Källa: SCB")


# --- charts and sentences, every indicator (built as the pages build them) --------------------------

def _chart_specs(database, view, c) -> dict[str, dict]:
    ind = c.indicator
    specs = {"trend": views.trend_chart(c).to_dict()}
    if not c.gaps.dropna().empty:  # as the page: a gap chart only where a gap exists
        specs["gap"] = views.gap_chart(c).to_dict()
    if ind.lowest_level != "municipality" and c.year:
        if not views.ranking_frame(database, view, c.members, c.year).empty:
            specs["ranking"] = views.ranking_chart(database, view, c).to_dict()
        specs["map"] = views.map_chart(database, view, c.year).to_dict()
    for dim in ind.groups:
        group = views.group_chart(database, view, c, dim)
        if group is not None:
            specs[f"groups {dim}"] = group.to_dict()
        values = ind.groups[dim]
        if len(values) > 1:
            gap, _, _ = views.group_gap_chart(database, replace(view, grupp=dim), values[-1], values[0])
            if gap is not None:
                specs[f"group gap {dim}"] = gap.to_dict()
    return specs


def test_every_chart_subtitle_and_map_tooltip_names_the_source_or_says_demodata(database, facts, real):
    problems = []
    for i in INDICATORS:
        demo, citation = real[i]
        view = urlstate.defaults_for(facts, i)
        c = views.comparison(database, view)
        specs = _chart_specs(database, view, c)
        outputs = {f"{name} subtitle": subtitle(spec) for name, spec in specs.items()}
        outputs |= {f"{name} whole spec": json.dumps(spec, ensure_ascii=False) for name, spec in specs.items()}
        if "map" in specs:
            notes = {f["properties"].get("values_note", "") for f in specs["map"]["data"]["values"]}
            outputs["map tooltip"] = " ".join(notes) if len(notes) == 1 else ""
            tooltip = json.dumps(specs["map"]["layer"][0]["encoding"]["tooltip"], ensure_ascii=False)
            assert "properties.values_note" in tooltip, i
        problems += check(outputs, demo, citation, i)
        assert says_demo(c.citation) == demo, i
    assert problems == [], "\n".join(problems[:20])


# --- tables -----------------------------------------------------------------------------------------

def test_overview_and_profiles_mark_each_row_real_or_demo(database, real):
    f = views.facts(database)
    ov = views.overview(database, f.default_set)
    table = tables.overview_table(ov, "Områdesutveckling", [""] * len(ov))
    profiles = {"overview": (ov.indicator_id, table), "set": None, "area": None}
    set_rows = views.set_profile(database, f.default_set)
    area_rows = views.area_profile(database, "1490R025")
    profiles["set"] = (set_rows.indicator_id, tables.profile_table(set_rows))
    profiles["area"] = (area_rows.indicator_id, tables.profile_table(area_rows))
    for name, (ids, shown) in profiles.items():
        assert len(shown) == len(ids) > 0
        for i, cell in zip(ids, shown[tables.SOURCE_COLUMN]):
            demo, citation = real[i]
            assert cell == ("Demodata" if demo else citation.removeprefix("Källa: ")), (name, i, cell)
    assert set(ov.indicator_id) == set(INDICATORS)


def test_data_och_metod_lists_real_and_demo_with_provenance(database, real):
    titles = {i.id: i.title for i in CAT.indicators}
    listed = tables.provenance_table(provenance.listing(database, titles))
    assert list(listed.columns) == list(tables.PROVENANCE_COLUMNS)
    rows = listed.set_index("Indikator")
    con = duckdb.connect(str(database.path), read_only=True)
    try:
        records = con.execute("select subject, citation, licence, origin, retrieved, transformation "
                              "from source_record").df().set_index("subject")
    finally:
        con.close()
    for i, (demo, citation) in real.items():
        row = rows.loc[titles[i]]
        assert row["Värden"] == ("Demodata" if demo else "Riktiga värden"), i
        if demo:
            assert row["Källa"] == text.DEMO_TEXT, i
        else:
            rec = records.loc[i]
            assert (row["Källa"], row["Licens"], row["Ursprung"], row["Hämtad"], row["Bearbetning"]) == (
                citation, rec.licence, rec.origin, rec.retrieved, rec.transformation), i
    assert rows.loc[text.POPULATION_TITLE, "Källa"] == records.loc["befolkning", "citation"]
    catalog = tables.catalog_table(database.run("indicator_catalog"), "", provenance.sources(database))
    assert [v == "Demodata" for v in catalog["Värden"]] == [real[i][0] for i in catalog.Id]


# --- exports ----------------------------------------------------------------------------------------

def test_csv_and_excel_downloads_name_the_source_or_say_demodata(database, facts, real):
    problems = []
    version = database.version
    for i in INDICATORS:
        demo, citation = real[i]
        ind = views.indicators(database)[i]
        origin = provenance.of(database, i)
        view = urlstate.defaults_for(facts, i)
        frame = views.selection_export(database, view)
        csv = export.to_csv(frame).decode("utf-8-sig")
        back = pd.read_csv(io.StringIO(csv), sep=";", decimal=",")
        assert set(back["källa"]) == {text.DEMO_TEXT if demo else citation}, i
        assert set(back["demodata"]) == {demo}, i
        meta = pd.read_excel(io.BytesIO(export.to_excel(frame, ind, version, origin.demo, "Mängd", origin)),
                             sheet_name="Metadata").set_index("fält")["värde"]
        name = export.file_name(ind, version, origin.demo, "xlsx")
        outputs = {"csv källa": " ".join(back["källa"].unique()),
                   "excel metadata": " ".join(map(str, meta.tolist())),
                   "citation": export.citation(ind, version, origin.demo, origin)}
        problems += check(outputs, demo, citation, i)
        if not demo:
            assert "DEMODATA" not in csv and "Demodata" not in csv, i
        assert name.endswith("_DEMODATA.xlsx") == demo, (i, name)
        assert (meta["Värden"] == "Riktiga värden") == (not demo), i
    assert problems == [], "\n".join(problems[:20])
    assert export.report_file_name(2023, version, provenance.summary(database)).endswith("_DELVIS_DEMODATA.html")


# --- compare ----------------------------------------------------------------------------------------

PLAIN = (str, int, float, bool, type(None))


def plain_problems(value, where: str = "") -> list[str]:
    """Every value that is not a plain JSON type (numpy scalars included, which json would refuse or hide)."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in
                ([f"{where}: key {k!r}"] if type(k) is not str else []) + plain_problems(v, f"{where}.{k}")]
    if type(value) is list:
        return [p for n, v in enumerate(value) for p in plain_problems(v, f"{where}[{n}]")]
    return [] if type(value) in PLAIN else [f"{where}: {type(value).__name__}"]


def test_compare_json_is_plain_and_says_per_indicator_real_or_demo(database, facts, real):
    asks = [("lagenheter_hyresratt", 2023, None)]  # the case that crashed: gap_trend.better was numpy.bool
    for i in INDICATORS:
        years = facts.indicators[i].years
        if years:
            asks.append((i, years[-1], None))
            ind = views.indicators(database)[i]
            if ind.groups:
                dim = next(iter(ind.groups))
                asks.append((i, years[-1], f"{dim}:{ind.groups[dim][0]}"))
    kinds = set()
    for i, year, group in asks:
        out = compare.compare(database, i, year, group=group)
        assert plain_problems(out) == [], (i, plain_problems(out))
        json.dumps(out, allow_nan=False)  # plain JSON, no NaN
        demo, citation = real[i]
        assert out["demo"] is demo and out["source"]["kind"] == ("demo" if demo else "real"), i
        assert out["source"]["citation"] == (text.DEMO_TEXT if demo else citation), i
        line = compare.summary(out)
        assert ("(DEMODATA)" in line) == demo and (demo or citation in line), (i, line)
        assert says_demo(line) == demo, (i, line)
        kinds.add(demo)
    assert kinds == {True, False}


def test_compare_cli_json_on_the_real_database(real_db):
    from tests.test_cli import shb

    out = shb("compare", "--db", str(real_db), "--indicator", "lagenheter_hyresratt", "--year", "2023", "--json")
    assert out.returncode == 0, out.stderr
    said = json.loads(out.stdout)
    assert said["demo"] is False and said["source"]["citation"].startswith("Källa: SCB")
    assert isinstance(said["gap_trend"]["better"], bool | None)


# --- the report ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def report_html(database):
    return report.render_html(database, REPORT_YEAR)


def report_sections(page: str) -> dict[str, str]:
    """indicator id → the text of its section (from its opening div to the next effektmål, section or end)."""
    parts = re.split(r'<div class="indicator" data-indicator="([^"]+)">', page)
    out = {}
    for ind_id, body in zip(parts[1::2], parts[2::2]):
        out[ind_id] = html.unescape(re.split(r"</section>|<h3>Effektmål ", body)[0])
    return out


def test_the_report_names_each_indicators_source_or_says_demodata(report_html, real):
    sections = report_sections(report_html)
    reported = [i for i in INDICATORS if i in sections]
    assert len(reported) >= 50 and any(not real[i][0] for i in reported)
    problems = []
    for i in reported:
        demo, citation = real[i]
        problems += check({"section": sections[i]}, demo, citation, i)
        lead = re.search(r'</h3>\s*<p class="values( demo)?">([^<]+)</p>', sections[i])  # under the heading
        if not lead or lead.group(2) != (text.DEMO_TEXT if demo else citation):
            problems.append(f"{i}: the line under the heading is {lead and lead.group(2)!r}")
    assert problems == [], "\n".join(problems[:20])
    head = html.unescape(report_html.split('<section>')[0])
    counts = f"{len(real_ids(real))} av {len(INDICATORS)} indikatorer har riktiga värden"
    assert "DELVIS DEMODATA" in head and counts in head


# --- the pages (AppTest), every indicator ------------------------------------------------------------

TEXT_ELEMENTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error")


def page_outputs(at) -> dict[str, str]:
    """What a page says, element by element, without the database's banner (it counts indicators, and
    `test_the_banner_counts_real_and_demo_indicators` checks it) and the presentation CSS."""
    counts = provenance.summary(dbmod.connect())
    banner = text.source_banner(counts.real, counts.demo)
    said = {}
    for kind in TEXT_ELEMENTS:
        for n, element in enumerate(getattr(at, kind)):
            if element.value != banner and not element.value.startswith("<style>"):
                said[f"{kind} {n}"] = element.value
    return said


def check_page(at, i: str, demo: bool, citation: str | None, where: str) -> list[str]:
    """A page about indicator `i`: no element says demodata (real) and the source is named, or the page
    says demodata (demo); every chart's subtitle says the same."""
    assert not at.exception, (where, at.exception)
    said = page_outputs(at)
    joined = {"page": "\n".join(said.values())}
    problems = check(joined, demo, citation, f"{where} {i}")
    if not demo:
        problems += [f"{where} {i} {k}: real indicator, but says demodata: {v[:100]}"
                     for k, v in said.items() if says_demo(v)]
    specs = page_charts(at)
    for n, spec in enumerate(specs):
        problems += check({f"chart {n} subtitle": subtitle(spec)}, demo, citation, f"{where} {i}")
    return problems


def test_every_goal_area_page_says_real_or_demo_per_indicator(on_real_db, real):
    problems = []
    for ind in CAT.indicators:
        demo, citation = real[ind.id]
        # the övergripande mål's indicators (target "0") have Livscykeln as their own page
        at = run_page(GOAL_AREA_PAGES.get(int(ind.target.split(".")[0]), "pages/9_livscykeln.py"), {"indikator": ind.id})
        problems += check_page(at, ind.id, demo, citation, "målområde")
        problems += [] if page_charts(at) else [f"målområde {ind.id}: no chart"]
        lines = [m.value for m in at.markdown]
        sentence = next(n for n, line in enumerate(lines) if line.startswith("### "))
        if (text.DEMO_TEXT if demo else citation) not in lines[sentence + 1]:  # said right under the sentence
            problems.append(f"målområde {ind.id}: under the sentence: {lines[sentence + 1]!r}")
    assert problems == [], "\n".join(problems[:20])


def test_every_map_says_real_or_demo_per_indicator(on_real_db, real):
    problems = []
    for ind in CAT.indicators:
        if ind.lowest_level == "municipality":
            continue
        demo, citation = real[ind.id]
        problems += check_page(run_page("pages/5_karta.py", {"indikator": ind.id}), ind.id, demo, citation, "karta")
    assert problems == [], "\n".join(problems[:20])


def test_every_group_gap_says_real_or_demo_per_indicator(on_real_db, real):
    problems = []
    for ind in CAT.indicators:
        if not ind.groups:
            continue
        demo, citation = real[ind.id]
        at = run_page("pages/6_grupper.py", {"indikator": ind.id})
        problems += check_page(at, ind.id, demo, citation, "grupper")
    assert problems == [], "\n".join(problems[:20])


def test_presentation_mode_says_it_of_the_one_indicator_shown(on_real_db, real):
    real_one = "lagenheter_hyresratt"
    demo_one = "sysselsattningsgrad_20_64"
    assert not real[real_one][0] and real[demo_one][0]
    at = run_page("pages/5_karta.py", {"indikator": real_one, "visning": "presentation"})
    assert not at.exception
    assert not any(says_demo(w.value) for w in at.warning), "no banner: the map says where its values come from"
    # The source is in the one caption line under the stating title (it was a markdown line before the
    # presentation views were made to fit one screen).
    assert any(real[real_one][1] in c.value for c in at.caption)
    at = run_page("pages/5_karta.py", {"indikator": demo_one, "visning": "presentation"})
    assert [w.value for w in at.warning] == [f"**{text.DEMO_TEXT}**"]


def test_the_tables_on_the_pages_mark_every_row(on_real_db, real):
    titles = {i.id: i.title for i in CAT.indicators}
    by_title = {t: i for i, t in titles.items()}
    for path, params in (("app.py", {}), ("pages/4_omraden.py", {"omrade": "1490R025"}), ("pages/4_omraden.py", {})):
        at = run_page(path, params)
        assert not at.exception
        rows = pd.concat([df.value for df in at.dataframe])
        assert len(rows) == len(INDICATORS), path
        for title, cell in zip(rows["Indikator"], rows[tables.SOURCE_COLUMN]):
            demo, citation = real[by_title[title]]
            assert cell == ("Demodata" if demo else citation.removeprefix("Källa: ")), (path, title)


def test_the_banner_counts_real_and_demo_indicators(on_real_db, real, demo_db, monkeypatch, tmp_path):
    n_real, n = len(real_ids(real)), len(INDICATORS)
    at = run_page("pages/3_boende.py")
    assert at.warning[0].value == text.source_banner(n_real, n - n_real)
    assert at.warning[0].value.startswith(f"**{n_real} av {n} indikatorer har riktiga värden med källa; övriga "
                                          f"{n - n_real} är demodata**")
    assert not any(says_demo(c.value) for c in at.caption), "the footer counts without saying demodata"
    monkeypatch.setenv("SHB_DB", str(demo_db))
    assert run_page("pages/3_boende.py").warning[0].value == text.DEMO_BANNER
    all_real = copy_db(on_real_db, tmp_path)
    con = duckdb.connect(str(all_real))
    con.execute("update observation set is_demo = false")
    con.execute("update published_observation set is_demo = false")
    con.close()
    monkeypatch.setenv("SHB_DB", str(all_real))
    at = run_page("pages/3_boende.py")
    assert not at.exception and not any(says_demo(w.value) for w in at.warning), "all real: no banner"


# --- older snapshot files and mixed indicators ----------------------------------------------------------

def copy_db(source, folder):
    """A private copy of a database and its geometry."""
    target = folder / "data" / "shb.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    shutil.copytree(source.parent / "geometry", target.parent / "geometry")
    return target


@pytest.fixture
def old_db(real_db, tmp_path):
    """The real database as a file made before source_record existed."""
    path = copy_db(real_db, tmp_path)
    con = duckdb.connect(str(path))
    con.execute("drop table source_record")
    con.close()
    return path


def test_an_old_snapshot_without_source_records_falls_back_to_the_values_and_the_catalog(old_db, real):
    database = dbmod.Database(old_db)
    assert not provenance.has_source_records(database)
    origins = provenance.sources(database)
    for ind in CAT.indicators:
        demo = real[ind.id][0]
        assert origins[ind.id].demo == demo, ind.id
        assert origins[ind.id].citation == (text.DEMO_TEXT if demo else f"Källa: {ind.source}, {ind.source_ref}")
        assert not origins[ind.id].recorded
    assert provenance.population(database) is None


def test_the_pages_work_on_an_old_snapshot(old_db, demo_db, monkeypatch, real):
    monkeypatch.setenv("SHB_DB", str(old_db))
    first_real = real_ids(real)[0]
    ind = next(i for i in CAT.indicators if i.id == "lagenheter_hyresratt")
    cited = f"Källa: {ind.source}, {ind.source_ref}"
    at = run_page("pages/3_boende.py", {"indikator": ind.id})
    assert check_page(at, ind.id, False, cited, "gammal fil") == []
    for path, params in (("app.py", {}), ("pages/4_omraden.py", {"omrade": "1490R025"}),
                         ("pages/5_karta.py", {"indikator": ind.id}), ("pages/6_grupper.py", {}),
                         ("pages/7_data_och_metod.py", {"indikator": first_real})):
        at = run_page(path, params)
        assert not at.exception, (path, at.exception)
    database = dbmod.Database(old_db)
    out = compare.compare(database, ind.id, 2023)
    assert out["demo"] is False and out["source"] == compare.source(provenance.of(database, ind.id))
    assert not out["source"]["recorded"]


def test_an_indicator_with_some_generated_values_says_so(real_db, tmp_path):
    path = copy_db(real_db, tmp_path)
    con = duckdb.connect(str(path))
    for table in ("observation", "published_observation"):
        con.execute(f"update {table} set is_demo = true where indicator_id = 'lagenheter_hyresratt' "  # noqa: S608
                    "and year = 2020 and level = 'regso'")
    generated, total = con.execute("select count(*) filter (where is_demo), count(*) from observation "
                                   "where indicator_id = 'lagenheter_hyresratt'").fetchone()
    con.close()
    database = dbmod.Database(path)
    o = provenance.of(database, "lagenheter_hyresratt")
    assert o.demo and o.mixed and o.label == "Delvis demodata"
    assert o.citation.startswith(f"Delvis demodata – {generated} av {total} värden är genererade")
    c = views.comparison(database, urlstate.defaults_for(views.facts(database), "lagenheter_hyresratt"))
    assert o.citation in subtitle(views.trend_chart(c).to_dict())
    frame = views.selection_export(database, urlstate.defaults_for(views.facts(database), "lagenheter_hyresratt"))
    marked = frame.groupby("demodata")["källa"].agg(set).to_dict()
    assert marked[True] == {text.DEMO_TEXT} and marked[False] == {o.source} and o.source.startswith("Källa: SCB")
    ov = views.overview(database, "omradesutveckling").set_index("indicator_id")
    assert ov.loc["lagenheter_hyresratt", "source_text"] == "Delvis demodata"
