"""Extraction over an archive with Dask: a bag of files mapped through `tracker.extract`.

Extraction is a pure function of a report's text, so it runs on any engine that maps a
function over a collection. This module is the Dask recipe (optional extra
`pip install 'tracker[dask]'`); the output is JSON lines, one `tracker extract --jsonl`
document per report, that `tracker ingest --from-jsonl FILE` stores:

    python -m tracker.distributed /data/archive /data/docs --scheduler processes
    for f in /data/docs/*.jsonl; do tracker ingest --from-jsonl "$f"; done

From Python, with a cluster of your own:

    from dask.distributed import Client
    client = Client("scheduler:8786")           # or LocalCluster()
    extract_to_jsonl(expand(["/data/archive"]), "/data/docs")

A file that cannot be read becomes a line {"path": ..., "error": ...}, which
`ingest --from-jsonl` reports as failed.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Iterable


def extract_path(path: str, published: date | str | None = None, lang: str | None = None,
                 publisher: str | None = None) -> dict:
    """Read and extract one report file: its document with the text under "text",
    or {"path", "error"} when the file cannot be read."""
    from .extraction import extract
    from .reader import ReadError, read_report

    try:
        source = read_report(path)
    except ReadError as exc:
        return {"path": str(path), "error": str(exc).removeprefix(f"{path}: ")}
    doc = extract(source.text, published=published, lang=lang, path=source.path, publisher=publisher)
    return {**doc, "text": source.text}


def documents(paths: Iterable[str], published: date | str | None = None, lang: str | None = None,
              publisher: str | None = None, partition_size: int = 256):
    """A dask.bag of extracted documents (dicts), one per path, in the order of `paths`."""
    import dask.bag as dask_bag

    return dask_bag.from_sequence([str(p) for p in paths], partition_size=partition_size).map(
        extract_path, published=published, lang=lang, publisher=publisher)


def extract_to_jsonl(paths: Iterable[str], out: str | Path, published: date | str | None = None,
                     lang: str | None = None, publisher: str | None = None, partition_size: int = 256,
                     scheduler: str | None = None, num_workers: int | None = None) -> list[str]:
    """Extract every path with Dask and write the documents as JSON lines into the folder
    `out`, one file per partition (00000.jsonl, 00001.jsonl, ... in the order of `paths`).

    `scheduler` is a Dask scheduler name ("processes", "threads", "synchronous"), or None
    for Dask's default (a distributed Client, if one is active). Returns the files written.
    """
    Path(out).mkdir(parents=True, exist_ok=True)
    lines = documents(paths, published, lang, publisher, partition_size).map(json.dumps, ensure_ascii=False)
    options = {"scheduler": scheduler} if scheduler else {}
    if num_workers:
        options["num_workers"] = num_workers
    return lines.to_textfiles(str(Path(out) / "*.jsonl"), name_function=lambda i: f"{i:05d}",
                              encoding="utf-8", last_endline=True, compute_kwargs=options)


def main(argv: list[str] | None = None) -> int:
    import argparse

    from .ingest import expand

    parser = argparse.ArgumentParser(prog="python -m tracker.distributed",
                                     description="Extract an archive with Dask into JSON lines for "
                                                 "`tracker ingest --from-jsonl`.")
    parser.add_argument("archive", nargs="+", help="report files or folders (searched recursively)")
    parser.add_argument("out", help="folder for the JSON lines files")
    parser.add_argument("--glob", default="*.txt", help="which files to take from folders (default *.txt)")
    parser.add_argument("--scheduler", default="processes",
                        help="processes (default), threads, synchronous, or a distributed scheduler address")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--partition-size", type=int, default=256, help="reports per task (default 256)")
    args = parser.parse_args(argv)
    scheduler = args.scheduler
    if ":" in scheduler:                        # host:port of a dask.distributed scheduler
        from dask.distributed import Client

        Client(scheduler)
        scheduler = None
    written = extract_to_jsonl(expand(args.archive, args.glob), args.out, partition_size=args.partition_size,
                               scheduler=scheduler, num_workers=args.workers)
    print(f"{len(written)} files in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
