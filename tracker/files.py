"""Which files a list of command-line paths stands for.

    >>> list(walk(["reports/", "extra.txt", "-"], "*.txt"))
    ['reports/2019/a.txt', 'reports/b.txt', 'extra.txt', '-']

Directories are searched recursively, in sorted order, for files whose path below the
directory matches `glob` (as `Path.rglob` would). Symbolic links to directories are
followed, but a directory already visited (a symlink loop, or the same folder linked
twice) is not entered again, so a loop can neither hang nor crash the walk. A link to
a directory inside the tree is not followed (its files are found under their own
path), so every file is listed once.

Nothing is dropped silently: a directory that cannot be listed (permissions) and a
broken symbolic link matching `glob` are yielded as paths like any file, and
`tracker.reader.read_report` then fails on them with a one-line reason ("is a
directory that cannot be read (Permission denied)", "is a broken symbolic link").
"""
from __future__ import annotations

import fnmatch
import os
from pathlib import Path, PurePath
from typing import Iterable, Iterator


def walk(paths: Iterable[str], glob: str = "*.txt") -> Iterator[str]:
    """Files as given, directories as their files matching `glob` (recursively, sorted), '-' as is."""
    for path in paths:
        if path != "-" and os.path.isdir(path):
            yield from _walk_directory(Path(path), glob)
        else:
            yield str(path)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def _walk_directory(top: Path, glob: str) -> Iterator[str]:
    seen: set[tuple[int, int]] = set()
    inside = os.path.realpath(top)
    simple = "/" not in glob and os.sep not in glob
    # A stack of sorted entry lists, walked depth first: the order of sorted(top.rglob(glob)).
    stack: list[list] = [[top]]
    while stack:
        entries = stack[-1]
        if not entries:
            stack.pop()
            continue
        entry = entries.pop()
        if _is_dir(entry):
            path = Path(entry.path) if isinstance(entry, os.DirEntry) else entry
            if path is not top and path.is_symlink() and _within(os.path.realpath(path), inside):
                continue                                 # walked under its own name, or a loop
            key = _identity(path)
            if key is None or key in seen:
                continue                                 # a loop, or a folder seen through another link
            seen.add(key)
            try:
                with os.scandir(path) as it:
                    children = sorted(it, key=lambda e: e.name, reverse=True)
            except OSError:
                yield str(path)                          # the reader says why it cannot be read
                continue
            stack.append(children)
        elif (fnmatch.fnmatchcase(entry.name, glob) if simple else _matches(Path(entry.path), top, glob)) \
                and (_is_file(entry) or _is_broken_link(entry)):
            yield entry.path


def _within(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def _is_dir(entry) -> bool:
    try:
        return entry.is_dir()                            # follows symbolic links
    except OSError:
        return False


def _is_file(entry) -> bool:
    try:
        return entry.is_file()
    except OSError:
        return False


def _is_broken_link(entry) -> bool:
    try:
        return entry.is_symlink() and not os.path.exists(entry.path)
    except OSError:
        return False


def _matches(path: Path, top: Path, glob: str) -> bool:
    try:
        relative = path.relative_to(top)
    except ValueError:
        relative = PurePath(path.name)
    return relative.match(glob)
