"""Import real area polygons (GeoJSON, GeoPackage, GeoParquet) in place of the schematic geometry.

`import_geometry` reads one file, finds its code column and level, keeps the Borås rows, brings
them to EPSG:4326, repairs invalid polygons and checks that every known area of the level has a
polygon. Then it writes a new geometry version beside the database (see `shb.geometry`): the
imported level is replaced; after a RegSO import the districts are rebuilt as unions of their
RegSO and the kommun outline as the union of all RegSO, so the levels agree with each other. Other
levels stay as they were. Anything wrong with the file raises `GeometryRejected` and writes nothing.

Choices, for an analyst who wants maps without holes:

- A known area without a polygon makes the import refuse; ``allow_missing`` writes the layer with
  the hole and records the missing codes in the manifest.
- Codes that data/areas/ does not know are reported and left out (they have no values to show).
- Several rows with the same code are merged into one polygon, and the merge is reported.
- A file without a CRS is read as WGS 84 only when it is GeoJSON (RFC 7946 says so); a GeoPackage or
  GeoParquet without one is refused. Polygons that do not lie in Borås are refused, which also
  catches SWEREF coordinates in a GeoJSON file that does not say so.
- The polygons are simplified to the map's scale as one coverage (`simplify`): neighbours keep one
  shared border, so no slivers or gaps appear, and the map a page draws stays small. An area or a file
  with more vertices than a map can carry, even then, is refused. The file itself is kept, as it was,
  beside the new version (`versions/<version>/original/`).

Why one module of about 600 lines: reading, checking, simplifying as one coverage and installing a
geometry version are one import's steps over the same frame; each step is a function of its own.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pyogrio.errors
import shapely

from shb.core import format as fmt
from shb.core import paths
from shb.core.areas import (
    CODE_PATTERNS,
    DEFAULT_SOURCES,
    GEOMETRY_LEVELS,
    MUNICIPALITY,
    Geography,
    load_geography,
)
from shb.core.errors import GeometryRejected
from shb.core.text import clean_name
from shb.geo import geometry
from shb.store.writer import file_sha256

LEVELS = GEOMETRY_LEVELS
LEVEL_NAMES = {"regso": "RegSO", "deso": "DeSO", "district": "stadsdelar", "municipality": "kommungränsen"}
CODE_NAMES = {"regso": "RegSO-koder", "deso": "DeSO-koder", "district": "stadsdelskoder"}
# an area code, optionally followed by a suffix such as "_RegSO2025"
CODE = re.compile(r"^(\d{4}(?:R\d{3}|[ABC]\d{4}|D\d{2}))(?:[_\s:.\-].*)?$")
NAME_HINTS = ("regsokod", "regso_kod", "regso", "desokod", "deso_kod", "deso", "omradeskod", "områdeskod",
              "omrade", "område", "kod", "code", "id")
FORMATS = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "parquet": "GeoParquet"}
POLYGONAL = ("Polygon", "MultiPolygon")
OUTSIDE_M = 2_000  # a polygon's inner point may lie this far outside the (simplified) kommun outline
CENTROID_WARN_M = 1_000
# Simplification, in metres (SWEREF 99 TM). The map is 560 pixels high: the tätort extent (some 15 km)
# is drawn at about 25 m a pixel, the whole kommun (42 km) at 75 m, and coordinates are rounded to about
# a metre, so a border moved by a few metres is never seen; a point within 5 cm of the line of its
# neighbours (a densified border) carries nothing at all.
SIMPLIFY_M = 5.0
TRACE_M = 0.05
MAX_READ_VERTICES = 5_000_000  # before simplifying: bounds the work of reading and simplifying a file
MAX_AREA_VERTICES = 10_000  # after simplifying: what one area may bring to a map
MAX_FILE_VERTICES = 100_000  # after simplifying: what a whole level may bring (a map spec of a few MB)
_READ_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, pyogrio.errors.FieldError,
                pyogrio.errors.GeometryError, pyogrio.errors.CRSError, ValueError, OSError)


@dataclass
class GeoImportResult:
    """What an import found and did (``version`` is None after a dry run)."""

    file: Path
    file_format: str
    layer: str | None
    crs: str
    code_column: str
    level: str
    imported: int
    other_kommun: int
    without_code: int
    unknown: list[str]
    missing: list[str]
    repaired: int
    merged: int
    km2: float
    source: str
    rebuilt: dict[str, str] = field(default_factory=dict)  # derived level → what was done, in Swedish
    kept: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    version: str | None = None
    previous_version: str | None = None
    seconds: float = 0.0
    vertices_before: int = 0  # of the Borås areas kept, before and after simplification
    vertices_after: int = 0

    def summary(self) -> str:
        """The report, in Swedish."""
        what = f"{clean_name(self.file.name)} ({self.file_format}" + (
            f", lager {clean_name(repr(self.layer))}" if self.layer else "")
        lines = [f"Läste {what}, {self.crs}); kodkolumn {self.code_column!r}: "
                 f"{self.imported} {LEVEL_NAMES[self.level]} i Borås, total yta {fmt.number(self.km2)} km²."]
        if self.other_kommun:
            lines.append(f"{_count(self.other_kommun)} rader från andra kommuner togs bort.")
        if self.without_code:
            lines.append(f"{_count(self.without_code)} rader utan giltig områdeskod togs bort.")
        if self.merged:
            lines.append(f"{self.merged} koder fanns på flera rader; raderna slogs ihop till en yta per kod.")
        lines.append(f"Reparerade ogiltiga ytor: {self.repaired}" + (" (make_valid, ytdelarna behölls)."
                                                                   if self.repaired else "."))
        lines.append("Okända koder (finns inte i data/areas/, lämnades utanför): "
                     + (_codes(self.unknown) if self.unknown else "inga") + ".")
        lines.append("Saknade områden (utan yta på kartan): "
                     + (_codes(self.missing) if self.missing else "inga") + ".")
        lines.append(f"Gränserna förenklades till kartans skala (tolerans {fmt.number(SIMPLIFY_M, 0)} m, grannar "
                     f"delar samma gräns): {_count(self.vertices_before)} → {_count(self.vertices_after)} hörn.")
        lines += self.warnings
        lines += self.rebuilt.values()
        if self.kept:
            lines.append("Oförändrade: " + ", ".join(LEVEL_NAMES[k] for k in self.kept) + ".")
        lines.append(f"På kartorna står: {self.source}")
        if self.version is None:
            lines.append("Provkörning: inget skrevs.")
        else:
            lines.append(f"Ny geometriversion {self.version} på {fmt.number(self.seconds)} s.")
            if self.previous_version:
                lines.append(f"Föregående version {self.previous_version} är sparad; återställ den med "
                             f"`python -m shb geo restore {self.previous_version}`.")
        return "\n".join(lines)


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def _codes(codes: list[str], limit: int = 12) -> str:
    more = f" och {len(codes) - limit} till" if len(codes) > limit else ""
    return ", ".join(codes[:limit]) + more


def _reject(path: Path, reason: str) -> GeometryRejected:
    return GeometryRejected(f"{clean_name(path.name)}: {reason} Inget skrevs; den nuvarande geometrin är orörd.")


# --- reading the file ------------------------------------------------------------------------------

def _sniff(path: Path) -> str:
    """The file's format from its first bytes, else its name."""
    with path.open("rb") as f:
        head = f.read(64)
    if not head.strip():
        raise _reject(path, "Filen är tom.")
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"["):
        return "geojson"
    suffix = path.suffix.lower()
    by_name = {".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".parquet": "parquet",
               ".geoparquet": "parquet"}
    if suffix in by_name:
        return by_name[suffix]
    raise _reject(path, "Formatet känns inte igen. Använd GeoJSON (.geojson), GeoPackage (.gpkg) "
                        "eller GeoParquet (.parquet).")


def _gpkg_layer(path: Path, layer: str | None) -> str:
    try:
        layers = [(str(n), str(t) if t else "") for n, t in pyogrio.list_layers(path)]
    except _READ_ERRORS as exc:
        raise _reject(path, f"Filen kunde inte läsas som GeoPackage ({exc}).") from exc
    listing = ", ".join(f"{n} ({t or 'ingen geometri'})" for n, t in layers) or "inga"
    if layer is not None:
        if layer not in {n for n, _ in layers}:
            raise _reject(path, f"Lagret {layer!r} finns inte. Lager i filen: {listing}.")
        return layer
    polygon_layers = [n for n, t in layers if "Polygon" in t]
    mixed_layers = [n for n, t in layers if t in ("Unknown", "Geometry", "GeometryCollection")]
    if not polygon_layers + mixed_layers:
        raise _reject(path, f"GeoPackage-filen har inget lager med ytor (polygoner). Lager i filen: {listing}.")
    return (polygon_layers + mixed_layers)[0]  # a mixed layer is checked row by row after reading


def read_polygons(path: Path, layer: str | None = None) -> tuple[gpd.GeoDataFrame, str, str | None]:
    """The file as a GeoDataFrame with a CRS, its format and the layer read (GeoPackage only)."""
    if not path.is_file():
        raise _reject(path, "Filen finns inte.")
    kind = _sniff(path)
    if layer is not None and kind != "gpkg":
        raise _reject(path, "--layer gäller bara GeoPackage-filer.")
    try:
        if kind == "parquet":
            gdf = gpd.read_parquet(path)
        elif kind == "gpkg":
            layer = _gpkg_layer(path, layer)
            gdf = gpd.read_file(path, layer=layer, engine="pyogrio")
        else:
            gdf = gpd.read_file(path, engine="pyogrio")
    except _READ_ERRORS as exc:
        if kind == "parquet" and "geo metadata" in str(exc):
            raise _reject(path, "Parquet-filen saknar GeoParquet-metadata, så ingen kolumn är utpekad som "
                                "geometri. Spara den som GeoParquet (t.ex. GeoDataFrame.to_parquet).") from exc
        raise _reject(path, f"Filen kunde inte läsas som {FORMATS[kind]} ({_first_line(exc)}).") from exc
    if len(gdf) == 0:
        raise _reject(path, "Filen innehåller inga objekt.")
    if gdf.crs is None:
        if kind != "geojson":
            raise _reject(path, "Filen saknar uppgift om koordinatsystem (CRS). Spara den med ett "
                                "koordinatsystem, t.ex. SWEREF 99 TM (EPSG:3006) eller WGS 84 (EPSG:4326).")
        gdf = gdf.set_crs(geometry.WGS84)  # RFC 7946: GeoJSON coordinates are WGS 84
    return gdf, FORMATS[kind], layer


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


# --- codes and level -------------------------------------------------------------------------------

def normalise_codes(values: pd.Series) -> pd.Series:
    """Area codes from a column (``1490r025_RegSO2025`` → ``1490R025``); NA where a value is no code."""
    text = values.astype("string").str.strip().str.upper()
    return text.str.extract(CODE, expand=False)


def find_code_column(gdf: gpd.GeoDataFrame, path: Path, column: str | None = None) -> str:
    """The column holding area codes: `column`, or the best of those whose values look like codes."""
    names = [c for c in gdf.columns if c != gdf.geometry.name]
    if column is not None:
        if column not in names:
            raise _reject(path, f"Kolumnen {column!r} finns inte. Kolumner: {', '.join(map(str, names)) or 'inga'}.")
        if normalise_codes(gdf[column]).isna().all():
            raise _reject(path, f"Kolumnen {column!r} innehåller inga områdeskoder (som 1490R025 eller 1490C1010).")
        return column
    scored = []
    for i, name in enumerate(names):
        values = gdf[name].dropna()
        if not len(values) or not values.map(lambda v: isinstance(v, str)).all():
            continue
        share = normalise_codes(values).notna().mean()
        if share >= 0.8:
            hint = str(name).lower()
            rank = NAME_HINTS.index(hint) if hint in NAME_HINTS else len(NAME_HINTS)
            scored.append((rank, -share, i, name))
    if not scored:
        raise _reject(path, "Hittade ingen kolumn med områdeskoder (som 1490R025 eller 1490C1010). "
                            f"Kolumner: {', '.join(map(str, names)) or 'inga'}. Ange kolumnen med --code-column.")
    return min(scored)[3]


def infer_level(codes: pd.Series, path: Path, level: str | None) -> str:
    """The level the Borås codes belong to; `level` when given, checked against them."""
    found = {lvl: int(codes.str.match(CODE_PATTERNS[lvl].pattern).sum()) for lvl in LEVELS}
    present = [lvl for lvl in LEVELS if found[lvl]]
    listing = ", ".join(f"{found[lvl]} {LEVEL_NAMES[lvl]}" for lvl in present)
    if level is not None:
        if not found[level]:
            raise _reject(path, f"Filen har inga {CODE_NAMES[level]} i Borås (hittade {listing}).")
        return level
    if len(present) > 1:
        raise _reject(path, f"Filen blandar nivåer ({listing}). Ange nivån med --level.")
    return present[0]


# --- polygons --------------------------------------------------------------------------------------

def _polygonal(geom):
    """The polygonal part of a repaired geometry (make_valid may add lines and points)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def repair(geoms: gpd.GeoSeries) -> tuple[gpd.GeoSeries, int]:
    """Valid polygons: invalid ones through make_valid, keeping their polygonal parts."""
    geoms = gpd.GeoSeries(shapely.force_2d(geoms.to_numpy()), index=geoms.index, crs=geoms.crs)
    invalid = ~geoms.is_valid
    fixed = [_polygonal(shapely.make_valid(g)) for g in geoms[invalid]]
    geoms.loc[invalid] = fixed
    return geoms, int(invalid.sum())


def _check_types(gdf: gpd.GeoDataFrame, codes: pd.Series, path: Path) -> None:
    types = gdf.geom_type
    if not types.isin(POLYGONAL).any():
        counts = ", ".join(f"{t} ({n})" for t, n in types.fillna("ingen geometri").value_counts().items())
        raise _reject(path, f"Filen innehåller inga ytor (polygoner), bara {counts}. Kartan behöver områdesgränser.")
    bad = ~types.isin(POLYGONAL) | gdf.geometry.is_empty
    if bad.any():
        raise _reject(path, "Alla områden måste vara ytor (Polygon eller MultiPolygon). Utan yta eller med annan "
                            f"geometri: {_codes(sorted(codes[bad]))}.")


def _check_location(gdf: gpd.GeoDataFrame, geo: Geography, level: str, path: Path) -> list[str]:
    """Refuse polygons outside Borås; warn about areas far from their known centroid."""
    outline = geometry.kommun_outline().to_crs(geometry.SWEREF).geometry.iloc[0].buffer(OUTSIDE_M)
    metric = gdf.to_crs(geometry.SWEREF)
    inner = metric.geometry.representative_point()
    outside = ~inner.within(outline)
    if outside.all():
        raise _reject(path, "Ytorna ligger inte i Borås. Koordinatsystemet stämmer troligen inte: en GeoJSON-fil "
                            "utan uppgift om koordinatsystem läses som WGS 84 (grader); spara filen med sitt "
                            "koordinatsystem (t.ex. SWEREF 99 TM, EPSG:3006) angivet.")
    if outside.any():
        raise _reject(path, f"Några ytor ligger utanför Borås: {_codes(sorted(gdf.code[outside]))}. "
                            "Kontrollera koderna och koordinatsystemet.")
    known = geo.areas.dropna(subset=["centroid_lat", "centroid_lon"]).set_index("code")
    known = known[known.level == level]
    if known.empty:
        return []
    centres = gpd.GeoSeries(gpd.points_from_xy(known.centroid_lon, known.centroid_lat), index=known.index,
                            crs=geometry.WGS84).to_crs(geometry.SWEREF)
    shapes = metric.set_index("code").geometry
    common = shapes.index.intersection(centres.index)
    far = [c for c in common if shapes[c].distance(centres[c]) > CENTROID_WARN_M]
    return [f"Varning: {len(far)} områden ligger mer än 1 km från sin kända mittpunkt; kontrollera koderna: "
            f"{_codes(sorted(far))}."] if far else []


# --- simplified to the map's scale -----------------------------------------------------------------

def simplify(gdf: gpd.GeoDataFrame, path: Path) -> tuple[gpd.GeoDataFrame, int, int]:
    """The polygons of `gdf` (one row per area) simplified to the map's scale as one coverage; the frame
    (in `gdf`'s CRS) and the vertices before and after. GeometryRejected when an area or the whole
    file keeps more vertices than a map can carry (`MAX_AREA_VERTICES`, `MAX_FILE_VERTICES`).

    First points that lie on the line of their neighbours (within `TRACE_M`) go, which undoes a
    densified border at once; then the polygons are made one coverage (overlaps given to one
    neighbour, gaps narrower than `SIMPLIFY_M` closed, shared borders made identical) and simplified
    together (`shapely.coverage_simplify`), so neighbours keep one border and no sliver or gap appears.
    """
    metric = gdf.to_crs(geometry.SWEREF)
    shapes = metric.geometry.to_numpy()
    before = int(shapely.get_num_coordinates(shapes).sum())
    traced, _ = repair(gpd.GeoSeries(shapely.simplify(shapes, TRACE_M, preserve_topology=False), crs=metric.crs))
    try:
        covered = shapely.coverage_clean(traced.to_numpy(), gap_width=SIMPLIFY_M)
        simplified = shapely.coverage_simplify(covered, SIMPLIFY_M)
    except shapely.errors.GEOSException:  # not a coverage GEOS can mend: each polygon on its own
        simplified = shapely.simplify(traced.to_numpy(), SIMPLIFY_M / 2, preserve_topology=True)
    fixed, _ = repair(gpd.GeoSeries(simplified, index=metric.index, crs=metric.crs))
    if fixed.is_empty.any():
        raise _reject(path, "Några ytor försvann när gränserna förenklades (de täcks helt av andra ytor i "
                            f"filen): {_codes(sorted(metric.code[fixed.is_empty]))}.")
    counts = pd.Series(shapely.get_num_coordinates(fixed.to_numpy()), index=metric.index)
    over = counts[counts > MAX_AREA_VERTICES]
    if len(over):
        worst = over.idxmax()
        raise _reject(path, f"{metric.code[worst]} har {_count(int(over[worst]))} hörn även efter förenkling till "
                            f"kartans skala; högst {_count(MAX_AREA_VERTICES)} hörn per område"
                            + (f" ({len(over)} områden har fler)" if len(over) > 1 else "")
                            + ". Förenkla gränserna (t.ex. i QGIS) och försök igen.")
    if counts.sum() > MAX_FILE_VERTICES:
        raise _reject(path, f"Ytorna har {_count(int(counts.sum()))} hörn även efter förenkling till kartans skala; "
                            f"högst {_count(MAX_FILE_VERTICES)} hörn per fil. Förenkla gränserna (t.ex. i QGIS) "
                            "och försök igen.")
    out = metric.set_geometry(fixed.to_numpy()).to_crs(gdf.crs)
    valid, _ = repair(out.geometry)  # a ring valid in metres can touch itself after reprojection (rounding)
    return out.set_geometry(valid.to_numpy()), before, int(counts.sum())


def _check_vertices_to_read(raw: gpd.GeoDataFrame, path: Path) -> None:
    """Refuse, before any work per polygon, a file with more vertices than is worth simplifying."""
    total = int(shapely.get_num_coordinates(raw.geometry.to_numpy()).sum())
    if total > MAX_READ_VERTICES:
        raise _reject(path, f"Filen har {_count(total)} hörn; högst {_count(MAX_READ_VERTICES)} kan läsas in. "
                            "Förenkla gränserna (t.ex. i QGIS) eller ta bara med Borås och försök igen.")


# --- the import ------------------------------------------------------------------------------------

@dataclass
class _Prepared:
    gdf: gpd.GeoDataFrame  # code, name, geometry (EPSG:4326), one row per known code
    result: GeoImportResult


def _boras_rows(raw: gpd.GeoDataFrame, path: Path, code_column: str | None, level: str | None):
    """The rows of Borås areas at one level: (frame of code and geometry, code column, level,
    rows of other kommuner, rows without a code)."""
    column = find_code_column(raw, path, code_column)
    codes = normalise_codes(raw[column])
    boras = codes.notna() & codes.str.startswith(MUNICIPALITY).fillna(False)
    other = int((codes.notna() & ~boras).sum())
    if not boras.any():
        raise _reject(path, f"Filen har inga områden i Borås (kommunkod {MUNICIPALITY}) i kolumnen {column!r}"
                            + (f"; {_count(other)} rader gäller andra kommuner." if other else "."))
    level = infer_level(codes[boras], path, level)
    keep = boras & codes.str.match(CODE_PATTERNS[level].pattern).fillna(False)
    gdf = gpd.GeoDataFrame({"code": codes[keep].astype(str)}, geometry=raw.geometry[keep], crs=raw.crs)
    return gdf, column, level, other, int(codes.isna().sum())


def _clean_polygons(gdf: gpd.GeoDataFrame, path: Path) -> tuple[gpd.GeoDataFrame, int, int]:
    """Valid polygons in EPSG:4326, one row per code: (frame, polygons repaired, codes merged)."""
    _check_types(gdf, gdf.code, path)
    gdf = gdf.to_crs(geometry.WGS84)
    fixed, repaired = repair(gdf.geometry)
    gdf = gdf.set_geometry(fixed)
    if gdf.geometry.is_empty.any():
        raise _reject(path, "Några ytor blev tomma när de reparerades: "
                            f"{_codes(sorted(gdf.code[gdf.geometry.is_empty]))}.")
    merged = int(gdf.code.duplicated(keep=False).groupby(gdf.code).any().sum())
    if merged:
        gdf = gdf.dissolve("code", as_index=False)
    return gdf, repaired, merged


def prepare(path: Path, geo: Geography, *, level: str | None = None, code_column: str | None = None,
            layer: str | None = None, source: str | None = None, allow_missing: bool = False) -> _Prepared:
    """Read and check a file; the polygons to write and the report (nothing is written)."""
    raw, file_format, layer = read_polygons(path, layer)
    _check_vertices_to_read(raw, path)
    if not raw.geom_type.isin(POLYGONAL).any():
        _check_types(raw, pd.Series(["?"] * len(raw), index=raw.index), path)
    gdf, column, level, other, without_code = _boras_rows(raw, path, code_column, level)
    gdf, repaired, merged = _clean_polygons(gdf, path)
    known = geo.codes(level)
    unknown = sorted(set(gdf.code) - set(known))
    missing = sorted(set(known) - set(gdf.code))
    gdf = gdf[gdf.code.isin(known)]
    if gdf.empty:
        raise _reject(path, f"Ingen av filens {CODE_NAMES[level]} finns i data/areas/ (t.ex. {_codes(unknown, 5)}).")
    warnings = _check_location(gdf, geo, level, path)
    if missing and not allow_missing:
        raise _reject(path, f"{len(missing)} av {len(known)} {LEVEL_NAMES[level]} saknar yta i filen: "
                            f"{_codes(missing)}. En karta med hål döljer värden; använd en fil med alla områden, "
                            "eller --allow-missing om hålen är avsiktliga.")
    gdf, vertices_before, vertices_after = simplify(gdf.reset_index(drop=True), path)
    names = geo.areas.set_index("code").name
    order = {c: i for i, c in enumerate(known)}
    gdf = gdf.assign(name=gdf.code.map(names)).sort_values("code", key=lambda s: s.map(order))
    gdf = gpd.GeoDataFrame(gdf[["code", "name", "geometry"]].reset_index(drop=True), geometry="geometry")
    result = GeoImportResult(
        file=path, file_format=file_format, layer=layer, crs=_crs_name(raw.crs), code_column=str(column),
        level=level, imported=len(gdf), other_kommun=other, without_code=without_code, unknown=unknown,
        missing=missing, repaired=repaired, merged=merged, km2=float(gdf.to_crs(geometry.SWEREF).area.sum() / 1e6),
        source=source or DEFAULT_SOURCES[level], warnings=warnings, vertices_before=vertices_before,
        vertices_after=vertices_after)
    return _Prepared(gdf, result)


def _crs_name(crs) -> str:
    epsg = crs.to_epsg() if crs is not None else None
    return f"EPSG:{epsg}" if epsg else (crs.name if crs is not None else "okänt")


def _new_layers(prepared: _Prepared, current: dict, folder: Path, geo: Geography, now: str):
    """Every level for the new version and its manifest entries; fills in what was rebuilt and kept."""
    r = prepared.result
    if geometry.has_layers(folder, current):
        layers, levels = geometry.read_layers(folder, current), dict(current["levels"])
    else:  # no geometry yet: start from the schematic layers
        layers, levels = geometry.build_schematic(geo), geometry.schematic_levels()
    common = {"imported_at": now, "file": clean_name(r.file.name), "sha256": file_sha256(r.file)}
    layers[r.level] = prepared.gdf
    levels[r.level] = geometry.level_entry(schematic=False, source=r.source, missing=r.missing, **common)
    if r.level == "regso":
        if levels["district"].get("schematic", True) or levels["district"].get("derived_from") == "regso":
            layers["district"] = geometry.derive_districts(prepared.gdf, geo)
            incomplete = sorted(d for d, m in geo.regso_of("district").items() if set(m) & set(r.missing))
            levels["district"] = geometry.level_entry(
                schematic=False, source=f"{r.source}; stadsdelar som sammanslagna RegSO", derived_from="regso",
                missing=incomplete, **common)
            r.rebuilt["district"] = f"Stadsdelarna ({len(layers['district'])}) byggdes om som sammanslagna RegSO."
        if not r.missing:
            layers["municipality"] = geometry.derive_municipality(prepared.gdf)
            levels["municipality"] = geometry.level_entry(
                schematic=False, source=f"{r.source}; kommungräns som union av RegSO", derived_from="regso", **common)
            km2 = float(layers["municipality"].to_crs(geometry.SWEREF).area.sum() / 1e6)
            r.rebuilt["municipality"] = f"Kommungränsen byggdes om som unionen av alla RegSO ({fmt.number(km2)} km²)."
        if levels["deso"].get("schematic", True) and not r.missing:
            layers["deso"] = geometry.split_deso(prepared.gdf, geo)
            levels["deso"] = geometry.level_entry(
                schematic=True, source="Schematisk: varje verklig RegSO delad i sina DeSO", derived_from="regso",
                **common)
            r.rebuilt["deso"] = ("DeSO är fortfarande schematiska men ligger nu inom de verkliga RegSO-gränserna "
                                 f"({len(layers['deso'])} delar).")
    r.kept = [lvl for lvl in ("regso", "district", "deso", "municipality") if lvl != r.level and lvl not in r.rebuilt]
    return layers, levels


def import_geometry(path: Path, db: Path, *, level: str | None = None, code_column: str | None = None,
                    layer: str | None = None, source: str | None = None, allow_missing: bool = False,
                    dry_run: bool = False, geo: Geography | None = None) -> GeoImportResult:
    """Import the polygons of one level from `path` into the geometry beside `db`.

    Parameters
    ----------
    path : Path
        A GeoJSON, GeoPackage or GeoParquet file with one polygon per area and a column of area codes.
    db : Path
        The database the geometry belongs to; only its folder is used (the file is not opened).
    level : {"regso", "deso", "district"}, optional
        The level of the polygons; inferred from the codes when omitted.
    code_column : str, optional
        The column with area codes; found from names and values when omitted.
    layer : str, optional
        The GeoPackage layer; the first polygon layer when omitted.
    source : str, optional
        The credit line shown on maps; a default per level.
    allow_missing : bool
        Write even when known areas have no polygon (the map gets holes).
    dry_run : bool
        Check and report, write nothing.

    Returns
    -------
    GeoImportResult
        The report; ``summary()`` gives it in Swedish.

    Raises
    ------
    GeometryRejected
        The file cannot replace the current geometry; nothing was written.
    """
    started = time.perf_counter()
    if level is not None and level not in LEVELS:
        raise GeometryRejected(f"Okänd nivå {level!r}: välj regso, deso eller district.")
    path = Path(path)
    geo = geo or load_geography()
    prepared = prepare(path, geo, level=level, code_column=code_column, layer=layer, source=source,
                       allow_missing=allow_missing)
    folder = paths.geometry_dir(Path(db))
    current = geometry.read_manifest(folder)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    layers, levels = _new_layers(prepared, current, folder, geo, now)
    result = prepared.result
    if not dry_run:
        facts = current.get("area_facts") if current["format"] >= 2 else None
        manifest = geometry.install_geometry(folder, layers, levels, area_facts=facts or geometry.area_facts(),
                                             based_on=current.get("version"), originals={result.level: path})
        result.version, result.previous_version = manifest["version"], manifest["previous_version"]
    result.seconds = time.perf_counter() - started
    return result


# --- command line (registered by shb.cli.geo) -------------------------------------------------------

def cmd_import(args) -> int:
    result = import_geometry(args.file, args.db, level=args.level, code_column=args.code_column,
                             layer=args.layer, source=args.source, allow_missing=args.allow_missing,
                             dry_run=args.dry_run)  # a refused file is reported by shb.cli.main (exit 2)
    print(result.summary())
    return 0


def cmd_versions(args) -> int:
    folder = paths.geometry_dir(args.db)
    versions = geometry.kept_versions(folder)
    if not versions:
        print(f"Inga sparade geometriversioner i {folder}.")
    for v in versions:
        flag = " (aktuell)" if v["current"] else ""
        real = [lvl for lvl in geometry.LAYERS if not v["levels"][lvl].get("schematic", True)]
        levels = ", ".join(f"{LEVEL_NAMES[lvl]}" for lvl in real) or "inga"
        print(f"{v['version']}{flag}  riktiga gränser: {levels}  {(v['written_at'] or '')[:16].replace('T', ' ')}")
    return 0


def cmd_restore(args) -> int:
    folder = paths.geometry_dir(args.db)
    manifest = geometry.restore(folder, args.version)
    print(f"Geometriversion {manifest['version']} är nu den aktuella i {folder}.")
    return 0
