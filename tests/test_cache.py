"""The caches of shb.present.cache: values shared by threads, files kept on disk."""

import pytest

from shb.present.cache import FileCache, SharedCache


def test_peek_and_put_keep_a_value_computed_elsewhere():
    cache: SharedCache[int] = SharedCache(2)
    assert cache.peek("a") is None
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.peek("a") == 1  # now the most recently used
    cache.put("c", 3)  # so "b" goes
    assert cache.peek("b") is None and cache.peek("a") == 1 and cache.peek("c") == 3
    assert cache.get("c", lambda: pytest.fail("a kept value is not computed again")) == 3


def test_a_file_is_built_once_per_key_and_whole(tmp_path):
    files = FileCache(tmp_path / "kept", keep=2)
    built = []

    def make(text):
        def write(path):
            built.append(text)
            path.write_text(text, encoding="utf-8")
        return write

    first, kept = files.get(("v1", 2024), ".html", make("ett"))
    assert not kept and first.read_text(encoding="utf-8") == "ett"
    again, kept = files.get(("v1", 2024), ".html", make("två"))
    assert kept and again == first and again.read_text(encoding="utf-8") == "ett" and built == ["ett"]
    other, kept = files.get(("v2", 2024), ".html", make("tre"))
    assert not kept and other != first

    def broken(path):
        path.write_text("halv", encoding="utf-8")
        raise RuntimeError("avbrott")

    with pytest.raises(RuntimeError):
        files.get(("v3", 2024), ".html", broken)
    assert not files.path(("v3", 2024), ".html").exists(), "no half-built file is kept"
    assert sorted(p.name for p in (tmp_path / "kept").iterdir()) == sorted([first.name, other.name])


def test_only_the_most_recently_used_files_are_kept(tmp_path):
    files = FileCache(tmp_path, keep=2)
    paths = [files.get(k, ".pdf", lambda p: p.write_bytes(b"%PDF"))[0] for k in ("a", "b", "c")]
    assert [p.exists() for p in paths] == [False, True, True]
    with pytest.raises(ValueError, match="keep must be at least 1"):
        FileCache(tmp_path, keep=0)
