"""Command line: build the snapshot (real where possible, or all demo), describe the data, list the catalog."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from shb.core import paths
from shb.core.catalog import GOAL_AREA_ID, GOAL_TARGET, LIFE_STAGE_ORDER
from shb.core.errors import GeometryRejected, ImportRejected, ShbError
from shb.store import db as dbmod


def info(database: dbmod.Database) -> dict:
    """What the snapshot holds, as plain data (the `info --json` contract)."""
    snap = database.run("snapshot").iloc[0]
    structure = database.run("goal_structure")
    catalog = database.run("indicator_catalog")
    counts = dict(database.run("area_counts").itertuples(index=False))
    summary = database.run("observation_summary").iloc[0]
    groups = database.run("groups_in_use")
    from shb.present import provenance

    counted = provenance.summary(database)  # the one place that tells real from demo, old files too
    from shb.present import aims

    with_aims = {indicator for indicator, _ in aims.aims(database)}
    return {
        "version": snap.version,
        "created_at": snap.created_at.isoformat(),
        "demo": bool(snap.is_demo),
        "goal_areas": int(structure.goal_area_id[structure.goal_area_id != GOAL_AREA_ID].nunique()),
        "targets": int(structure.target_id[structure.target_id != GOAL_TARGET].nunique()),
        "indicators": len(catalog),
        "areas_by_level": {lvl: int(counts.get(lvl, 0)) for lvl in ("municipality", "district", "regso", "deso")},
        "years": [int(summary.first_year), int(summary.last_year)],
        "groups": {d: g.value.tolist() for d, g in groups.groupby("dimension", sort=False)},
        "observations": int(summary.observations),
        "status_counts": {"suppressed": int(summary.suppressed), "missing": int(summary.missing),
                          "not_applicable": int(summary.not_applicable)},
        "built_from": json.loads(snap.built_from),
        "real_indicators": counted.real,
        "demo_indicators": counted.demo,
        "targets_with_aims": len(with_aims & set(catalog.id)),
        **life_course_counts(catalog, provenance.sources(database)),
    }


def life_course_counts(catalog, origins: dict) -> dict:
    """The övergripande mål's indicators (all, real, demo, ids) and the indicators per life stage."""
    goal = catalog[catalog.target_id == GOAL_TARGET].id.tolist()
    stages = [set(s if s is not None else ()) for s in catalog.life_stages]
    return {
        "goal_indicators": len(goal),
        "goal_indicators_real": sum(not origins[i].demo for i in goal if i in origins),
        "goal_indicators_demo": sum(origins[i].demo for i in goal if i in origins),
        "goal_indicator_ids": goal,
        "indicators_by_life_stage": {stage: sum(stage in s or "alla" in s for s in stages)
                                     for stage in LIFE_STAGE_ORDER},
    }


def catalog_entries(database: dbmod.Database) -> list[dict]:
    """One entry per indicator (the `catalog --json` contract)."""
    cat = database.run("indicator_catalog")
    return [
        {"id": r.id, "title": r.title, "target": r.target_id, "unit": r.unit, "unit_label": r.unit_label,
         "direction": r.direction, "levels": list(r.levels), "group_dimensions": list(r.group_dimensions),
         "source": r.source, "source_ref": r.source_ref,
         "life_stages": list(r.life_stages) if r.life_stages is not None else []}
        for r in cat.itertuples(index=False)
    ]


def _cmd_build(args) -> int:
    from shb.ingest.build import build_snapshot  # heavy imports only when building

    result = build_snapshot(args.db, demo_only=args.demo)
    what = "demodatabasen" if args.demo else "databasen"
    print(f"Byggde {what} {result.db} (version {result.version}): "
          f"{result.observations:,} observationer på {result.seconds:.1f} s.".replace(",", " "))
    if not args.demo:
        print(f"{len(result.real_indicators)} indikatorer har riktiga värden ur data/real/ (med källa); "
              "övriga är demodata.")
    if result.kept_previous:
        print(f"Föregående version sparad som {result.kept_previous}.")
    return 0


def _cmd_info(args) -> int:
    data = info(dbmod.Database(args.db))
    if args.json:
        print(json.dumps(data, ensure_ascii=False))
        return 0
    demo = " (DEMODATA)" if data["demo"] else ""
    print(f"Version {data['version']}{demo}, byggd {data['created_at']}")
    print(f"{data['goal_areas']} målområden, {data['targets']} effektmål, {data['indicators']} indikatorer")
    print(f"Övergripande mål: {data['goal_indicators']} indikatorer ({data['goal_indicators_real']} riktiga); "
          "per livsfas: " + ", ".join(f"{k} {v}" for k, v in data["indicators_by_life_stage"].items()))
    print("Områden: " + ", ".join(f"{k} {v}" for k, v in data["areas_by_level"].items()))
    print(f"År {data['years'][0]}–{data['years'][1]}, {data['observations']:,} observationer".replace(",", " "))
    return 0


def _cmd_catalog(args) -> int:
    entries = catalog_entries(dbmod.Database(args.db))
    if args.json:
        print(json.dumps(entries, ensure_ascii=False))
        return 0
    for e in entries:
        print(f"{e['target']:>4}  {e['id']:<40} {e['title']} ({e['unit_label']})")
    return 0


def _cmd_import(args) -> int:
    from shb.ingest import importer as ingest  # pandas-heavy checks only when importing

    limits = ingest.Limits(max_bytes=args.max_mb * ingest.MB) if args.max_mb else ingest.Limits()
    result = ingest.import_file(args.file, args.db, dry_run=args.dry_run, overwrite=args.replace, limits=limits)
    print(result.report())
    return 0


def _cmd_snapshots_list(args) -> int:
    from shb.store import snapshots

    entries = snapshots.list_snapshots(args.db)
    if args.json:
        print(json.dumps([e.as_dict() for e in entries], ensure_ascii=False))
        return 0
    for e in entries:
        flag = " (aktuell)" if e.current else ""
        if e.error:
            print(f"{e.version}{flag}  {e.error}  {e.path}")
            continue
        count = f"{e.observations:,}".replace(",", " ")
        print(f"{e.version}{flag}  {e.created_at[:16].replace('T', ' ')}  {e.what}  "
              f"{count} observationer  {e.path}")
    return 0


def _cmd_snapshots_restore(args) -> int:
    from shb.store import snapshots

    result = snapshots.restore(args.db, args.version)
    if result.kept_previous is None and result.previous_version == result.version:
        print(f"Version {result.version} är redan den aktuella; inget ändrat.")
        return 0
    print(f"Återställde version {result.version} som aktuell databas {args.db}.")
    if result.kept_previous:
        print(f"Den version som ersattes ({result.previous_version}) är sparad som {result.kept_previous}.")
    return 0


def _cmd_compare(args) -> int:
    from shb.present import compare

    out = compare.compare(dbmod.Database(args.db), args.indicator, args.year, args.set, args.group)
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(compare.summary(out))
    return 0


def _cmd_report(args) -> int:
    from shb.present import report

    report.build(dbmod.Database(args.db), args.year, args.out, args.pdf, args.set, args.period or "")
    print(f"Rapporten skrevs till {args.out}" + (f" och {args.pdf}" if args.pdf else "") + ".")
    return 0


def _cmd_note_add(args) -> int:
    from shb.ingest import notes
    from shb.ingest.importer import _who

    result = notes.add(args.db, args.indicator, args.area, args.year, args.text, args.author or _who())
    print(f"Anteckningen {result.note_id} sparad i ny version {result.version}.")
    return 0


def _cmd_note_list(args) -> int:
    import pandas as pd

    notes = dbmod.connect(args.db).run("notes")
    if args.indicator:
        notes = notes[notes.indicator_id == args.indicator]
    if args.json:
        out = [{"id": r.id, "indicator": r.indicator_id, "area": r.area_code,
                "year": None if pd.isna(r.year) else int(r.year), "text": r.body,
                "author": r.author, "created_at": r.created_at.isoformat()} for r in notes.itertuples()]
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if notes.empty:
        print("Inga anteckningar.")
    for r in notes.itertuples():
        year = "" if pd.isna(r.year) else f" {int(r.year)}"
        print(f"{r.id}  {r.indicator_id}  {r.area_name or r.area_code}{year}  {r.author} "
              f"{r.created_at:%Y-%m-%d %H:%M}\n    {r.body}")
    return 0


def _cmd_note_remove(args) -> int:
    from shb.ingest import notes

    result = notes.remove(args.db, args.id)
    print(f"Anteckningen {result.note_id} borttagen i ny version {result.version}.")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m shb", description="Socialt hållbart Borås: data och underlag.")
    sub = p.add_subparsers(dest="command", required=True)

    def with_db(sp):
        sp.add_argument("--db", type=Path, default=paths.default_db(), help="databasfil (standard: data/shb.duckdb)")
        return sp

    b = with_db(sub.add_parser("build", help="bygg databasen"))
    b.add_argument("--demo", action="store_true",
                   help="bara genererade demodata (för tester och mätningar); utan flaggan riktiga data där de finns")
    b.set_defaults(func=_cmd_build)
    i = with_db(sub.add_parser("info", help="vad databasen innehåller"))
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=_cmd_info)
    c = with_db(sub.add_parser("catalog", help="indikatorkatalogen"))
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_cmd_catalog)
    m = with_db(sub.add_parser("import", help="läs in en CSV- eller Excel-fil (långt format)"))
    m.add_argument("file", type=Path, help="filen som ska läsas in (.csv eller .xlsx)")
    m.add_argument("--dry-run", action="store_true", help="kontrollera och visa vad som skulle ändras, skriv inget")
    m.add_argument("--replace", action="store_true", help="ersätt värden som redan finns med andra uppgifter")
    m.add_argument("--max-mb", type=int, default=None, metavar="MB",
                   help="största filstorlek i MB (standard: appens uppladdningsgräns, server.maxUploadSize)")
    m.set_defaults(func=_cmd_import)
    s = sub.add_parser("snapshots", help="sparade versioner av databasen")
    ssub = s.add_subparsers(dest="snapshots_command", required=True)
    sl = with_db(ssub.add_parser("list", help="lista sparade versioner och den aktuella"))
    sl.add_argument("--json", action="store_true")
    sl.set_defaults(func=_cmd_snapshots_list)
    sr = with_db(ssub.add_parser("restore", help="gör en sparad version till den aktuella"))
    sr.add_argument("version", help="versions-id, t.ex. 20261126T054700Z")
    sr.set_defaults(func=_cmd_snapshots_restore)
    cmp_ = with_db(sub.add_parser("compare", help="jämför en områdesmängd med övriga staden och hela Borås"))
    cmp_.add_argument("--indicator", required=True, help="indikatorns id")
    cmp_.add_argument("--year", type=int, required=True)
    cmp_.add_argument("--set", default=None, help="områdesmängd (standard: omradesutveckling)")
    cmp_.add_argument("--group", default=None, help="grupp som DIMENSION:VÄRDE, t.ex. kon:kvinnor")
    cmp_.add_argument("--json", action="store_true")
    cmp_.set_defaults(func=_cmd_compare)
    rep = with_db(sub.add_parser("report", help="uppföljningsrapporten som HTML (och PDF)"))
    rep.add_argument("--year", type=int, required=True)
    rep.add_argument("--out", type=Path, required=True, help="HTML-fil som skrivs")
    rep.add_argument("--pdf", type=Path, default=None, help="PDF-fil som skrivs (kräver chromium)")
    rep.add_argument("--set", default=None, help="områdesmängd (standard: omradesutveckling)")
    rep.add_argument("--period", default=None, help="målbildsperiod, t.ex. 2021-2024 (standard: den aktuella)")
    rep.set_defaults(func=_cmd_report)
    n = sub.add_parser("note", help="analytikers anteckningar till en indikator och ett område")
    nsub = n.add_subparsers(dest="note_command", required=True)
    na = with_db(nsub.add_parser("add", help="lägg till en anteckning (skrivs som en ny version)"))
    na.add_argument("--indicator", required=True, help="indikatorns id")
    na.add_argument("--area", required=True, help="områdeskod, t.ex. 1490 (hela Borås) eller 1490R025")
    na.add_argument("--year", type=int, default=None, help="år som anteckningen gäller (valfritt)")
    na.add_argument("--text", required=True, help="anteckningen")
    na.add_argument("--author", default=None, help="vem som skriver (standard: användarnamnet)")
    na.set_defaults(func=_cmd_note_add)
    nl = with_db(nsub.add_parser("list", help="lista anteckningar"))
    nl.add_argument("--indicator", default=None)
    nl.add_argument("--json", action="store_true")
    nl.set_defaults(func=_cmd_note_list)
    nr = with_db(nsub.add_parser("remove", help="ta bort en anteckning (skrivs som en ny version)"))
    nr.add_argument("id", help="anteckningens id (se note list)")
    nr.set_defaults(func=_cmd_note_remove)
    from shb.cli import deck, geo
    from shb.ingest import fetch
    from shb.web import passwords

    fetch.register(sub, with_db)
    geo.register(sub, with_db)
    deck.register(sub, with_db)
    passwords.register(sub, with_db)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from shb.store import transaction

    # What a killed writer left (a half-built copy of the database, its .wal) goes now, unless a writer works.
    transaction.remove_killed_writers_files(getattr(args, "db", None) or paths.default_db())
    try:
        return args.func(args)
    except (ImportRejected, GeometryRejected) as exc:  # the input was refused: the report, exit 2
        print(exc, file=sys.stderr)
        return 2
    except ShbError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader stopped early (`catalog | head`): what it took was written
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
