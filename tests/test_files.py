"""Walking directories: sorted, recursive, loop-proof, nothing dropped silently."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracker import ReadError, read_report
from tracker.files import walk


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "reports"
    for name in ["2019/march/a.txt", "2019/b.txt", "2019/notes.md", "c.txt", "تقارير آذار/تقرير 1.txt",
                 "elsewhere/x.txt"]:
        path = root / name if not name.startswith("elsewhere") else tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("About 300 people left the camp on 3 March 2019.", encoding="utf-8")
    return root


def rel(paths, root):
    return [str(Path(p).relative_to(root)) for p in paths]


def test_the_same_files_in_the_same_order_as_rglob(tree):
    expected = [str(p) for p in sorted(tree.rglob("*.txt")) if p.is_file()]
    assert list(walk([str(tree)])) == expected
    assert rel(walk([str(tree)]), tree) == ["2019/b.txt", "2019/march/a.txt", "c.txt", "تقارير آذار/تقرير 1.txt"]
    assert rel(walk([str(tree)], "*.md"), tree) == ["2019/notes.md"]
    assert rel(walk([str(tree)], "march/*.txt"), tree) == ["2019/march/a.txt"]
    assert list(walk(["-", "given.txt"])) == ["-", "given.txt"]


def test_symlink_loops_do_not_hang(tree, tmp_path):
    (tree / "2019" / "march" / "up").symlink_to(tree)                  # a loop to the top
    (tree / "self").symlink_to(".")                                     # a loop to itself
    (tree / "2019" / "again").symlink_to(tree / "2019")                 # a second name inside the tree
    (tree / "outside").symlink_to(tmp_path / "elsewhere")              # outside the tree: followed
    (tmp_path / "elsewhere" / "back").symlink_to(tmp_path / "elsewhere")  # and a loop out there
    found = rel(walk([str(tree)]), tree)
    assert found == ["2019/b.txt", "2019/march/a.txt", "c.txt", "outside/x.txt", "تقارير آذار/تقرير 1.txt"]
    assert rel(walk([str(tree / "self")]), tree / "self") == [
        "2019/b.txt", "2019/march/a.txt", "c.txt", "outside/x.txt", "تقارير آذار/تقرير 1.txt"]


def test_broken_links_are_listed_and_refused_by_the_reader(tree):
    (tree / "gone.txt").symlink_to(tree / "nowhere.txt")
    assert "gone.txt" in rel(walk([str(tree)]), tree)
    with pytest.raises(ReadError, match="broken symbolic link"):
        read_report(tree / "gone.txt")


def test_unreadable_directories_are_listed_and_refused_by_the_reader(tree, monkeypatch):
    locked = tree / "2019" / "march"
    real_scandir = os.scandir

    def scandir(path="."):
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert rel(walk([str(tree)]), tree) == ["2019/b.txt", "2019/march", "c.txt", "تقارير آذار/تقرير 1.txt"]
    with pytest.raises(ReadError, match="march: is a directory that cannot be read"):
        read_report(locked)


@pytest.mark.skipif(os.geteuid() == 0, reason="root lists directories whatever their permissions")
def test_unreadable_directories_by_permissions(tree):
    locked = tree / "2019" / "march"
    locked.chmod(0)
    try:
        assert "2019/march" in rel(walk([str(tree)]), tree)
        with pytest.raises(ReadError, match="cannot be read"):
            read_report(locked)
    finally:
        locked.chmod(0o755)


def test_a_deep_tree_does_not_hit_the_recursion_limit(tmp_path, monkeypatch):
    path = tmp_path
    for _ in range(300):
        path = path / "d"
        path.mkdir()
    (path / "deep.txt").write_text("x", encoding="utf-8")
    import sys
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(150)                           # deeper than the limit: no recursion in walk
    try:
        found = list(walk([str(tmp_path)]))
    finally:
        sys.setrecursionlimit(limit)
    assert [p.endswith("deep.txt") for p in found] == [True]
