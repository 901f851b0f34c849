"""The project's YAML reader gives what PyYAML's safe loader gives, and refuses what it refuses."""

from __future__ import annotations

import pytest
import yaml

from shb.core import paths, yamlfile


def project_yaml_files():
    return sorted(p for p in paths.ROOT.joinpath("data").rglob("*.yaml"))


def test_every_yaml_file_of_the_project_reads_as_safe_load_reads_it():
    files = project_yaml_files()
    assert len(files) >= 5  # the catalog, the målbild, the groups, the area sets, the demo profile …
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yamlfile.load(text) == yaml.safe_load(text), path.name


@pytest.mark.parametrize("text", ["a: !!python/object/apply:os.system ['true']", "a: [1, 2", "a: b: c"])
def test_unsafe_or_malformed_yaml_is_refused_as_safe_load_refuses_it(text):
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    with pytest.raises(yamlfile.YAMLError):
        yamlfile.load(text)
