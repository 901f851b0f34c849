"""Command line: build the demo snapshot, describe the data, list the catalog."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from shb import db as dbmod
from shb import paths
from shb.errors import ShbError


def info(database: dbmod.Database) -> dict:
    """What the snapshot holds, as plain data (the `info --json` contract)."""
    snap = database.run("snapshot").iloc[0]
    structure = database.run("goal_structure")
    catalog = database.run("indicator_catalog")
    counts = dict(database.run("area_counts").itertuples(index=False))
    summary = database.run("observation_summary").iloc[0]
    groups = database.run("groups_in_use")
    return {
        "version": snap.version,
        "created_at": snap.created_at.isoformat(),
        "demo": bool(snap.is_demo),
        "goal_areas": int(structure.goal_area_id.nunique()),
        "targets": int(structure.target_id.nunique()),
        "indicators": len(catalog),
        "areas_by_level": {lvl: int(counts.get(lvl, 0)) for lvl in ("municipality", "district", "regso", "deso")},
        "years": [int(summary.first_year), int(summary.last_year)],
        "groups": {d: g.value.tolist() for d, g in groups.groupby("dimension", sort=False)},
        "observations": int(summary.observations),
        "status_counts": {"suppressed": int(summary.suppressed), "missing": int(summary.missing),
                          "not_applicable": int(summary.not_applicable)},
        "built_from": json.loads(snap.built_from),
    }


def catalog_entries(database: dbmod.Database) -> list[dict]:
    """One entry per indicator (the `catalog --json` contract)."""
    cat = database.run("indicator_catalog")
    return [
        {"id": r.id, "title": r.title, "target": r.target_id, "unit": r.unit, "unit_label": r.unit_label,
         "direction": r.direction, "levels": list(r.levels), "group_dimensions": list(r.group_dimensions),
         "source": r.source, "source_ref": r.source_ref}
        for r in cat.itertuples(index=False)
    ]


def _cmd_build(args) -> int:
    from shb.build import build_demo_snapshot  # heavy imports only when building

    if not args.demo:
        print("Ange --demo: bara demodata kan byggas här. Riktiga data läses in med import.", file=sys.stderr)
        return 2
    result = build_demo_snapshot(args.db)
    print(f"Byggde demodatabasen {result.db} (version {result.version}): "
          f"{result.observations:,} observationer på {result.seconds:.1f} s.".replace(",", " "))
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


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m shb", description="Socialt hållbart Borås: data och underlag.")
    sub = p.add_subparsers(dest="command", required=True)

    def with_db(sp):
        sp.add_argument("--db", type=Path, default=paths.default_db(), help="databasfil (standard: data/shb.duckdb)")
        return sp

    b = with_db(sub.add_parser("build", help="bygg databasen"))
    b.add_argument("--demo", action="store_true", help="bygg med genererade demodata")
    b.set_defaults(func=_cmd_build)
    i = with_db(sub.add_parser("info", help="vad databasen innehåller"))
    i.add_argument("--json", action="store_true")
    i.set_defaults(func=_cmd_info)
    c = with_db(sub.add_parser("catalog", help="indikatorkatalogen"))
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=_cmd_catalog)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ShbError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1
