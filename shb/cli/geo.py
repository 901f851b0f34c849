"""`python -m shb geo …`: the boundary commands (shb.geo.importer).

Registered without loading the geometry libraries (geopandas, pyproj, shapely take about a second to
load), which only these commands need: every other command starts without them.
"""

from __future__ import annotations

from pathlib import Path

from shb.core.areas import DEFAULT_SOURCES, GEOMETRY_LEVELS


def _run(name: str):
    def run(args) -> int:
        from shb.geo import importer

        return getattr(importer, name)(args)

    return run


def register(sub, with_db) -> None:
    """Add `geo import`, `geo versions` and `geo restore` to the command line."""
    g = sub.add_parser("geo", help="områdesgränser för kartorna")
    gsub = g.add_subparsers(dest="geo_command", required=True)
    imp = with_db(gsub.add_parser("import", help="läs in riktiga områdesgränser (GeoJSON, GeoPackage, GeoParquet)"))
    imp.add_argument("file", type=Path, help="filen med ytor och en kolumn med områdeskoder")
    imp.add_argument("--level", choices=GEOMETRY_LEVELS, default=None, help="nivå (standard: avgörs av koderna)")
    imp.add_argument("--code-column", default=None, help="kolumnen med områdeskoder (standard: hittas automatiskt)")
    imp.add_argument("--layer", default=None, help="lager i en GeoPackage-fil (standard: första lagret med ytor)")
    imp.add_argument("--source", default=None,
                     help=f"källa som visas på kartorna (standard för RegSO: \"{DEFAULT_SOURCES['regso']}\")")
    imp.add_argument("--allow-missing", action="store_true",
                     help="läs in även om kända områden saknar yta (kartan får hål)")
    imp.add_argument("--dry-run", action="store_true", help="kontrollera och visa vad som skulle ändras, skriv inget")
    imp.set_defaults(func=_run("cmd_import"))
    ver = with_db(gsub.add_parser("versions", help="lista sparade geometriversioner"))
    ver.set_defaults(func=_run("cmd_versions"))
    res = with_db(gsub.add_parser("restore", help="gör en sparad geometriversion till den aktuella"))
    res.add_argument("version", help="versions-id, t.ex. 20261126T054700Z")
    res.set_defaults(func=_run("cmd_restore"))
