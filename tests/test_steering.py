"""Styrdokument och processer as data: checked against the målbild, shown under the effektmål on its
målområde page, and filterable on the Prioritering page ("what does Program mot hemlöshet follow?")."""

from __future__ import annotations

import pytest
import yaml

from shb.core.catalog import load_catalog
from shb.core.errors import CatalogError
from shb.core.steering import load_steering
from tests.pages import run_page

CAT = load_catalog()


def test_the_committed_file_names_the_malbild_documents_and_links_known_targets():
    docs = {d.id: d for d in load_steering(CAT)}
    assert docs["program_mot_hemloshet"].targets == ("3.3",)
    assert docs["saker_och_trygg"].kind == "process"
    assert "analytikernas bedömning" in docs["visionen"].basis  # the links are said to be the analysts'
    assert len([d for d in docs.values() if d.kind == "styrdokument"]) == 15  # as the målbild lists them


@pytest.mark.parametrize(("doc", "words"), [
    ({"id": "x", "title": "X", "kind": "styrdokument", "targets": ["9.9"]}, "okända eller inga effektmål ['9.9']"),
    ({"id": "x", "title": "X", "kind": "lag", "targets": ["3.3"]}, "kind ska vara styrdokument eller process"),
    ({"id": "X Y", "title": "X", "kind": "process", "targets": ["3.3"]}, "id (gemener) och title krävs"),
])
def test_a_bad_document_is_refused_in_swedish(tmp_path, doc, words):
    path = tmp_path / "ansvar.yaml"
    path.write_text(yaml.safe_dump({"documents": [doc]}, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CatalogError, match="Ansvar och styrdokument kunde inte läsas") as err:
        load_steering(CAT, path)
    assert words in str(err.value)


def test_the_goal_area_page_names_the_documents_of_the_effektmal(demo_db):
    at = run_page("pages/3_boende.py", {"indikator": "hemloshet_per_1000"})
    assert not at.exception, at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Styrdokument och processer: Program mot hemlöshet.") for c in captions), captions
    assert any("Ansvarig: Samhällsbyggnadsförvaltningen" in c for c in captions)


def test_the_prioritering_page_filters_by_a_document(demo_db):
    at = run_page("pages/10_prioritering.py")
    assert len(at.dataframe[0].value) == 13
    at.selectbox(key="shb_steering").set_value("program_mot_hemloshet")
    at.run()
    assert not at.exception, at.exception
    assert [c.split(" ", 1)[0] for c in at.dataframe[0].value["Effektmål"]] == ["3.3"]
    assert "Program mot hemlöshet hör till 1 effektmål; listan visar bara dem." in [c.value for c in at.caption]
    at.selectbox(key="shb_steering").set_value("barn_och_unga_i_riskzonen")
    at.run()
    assert sorted(c.split(" ", 1)[0] for c in at.dataframe[0].value["Effektmål"]) == ["1.1", "1.5"]
