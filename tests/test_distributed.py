"""The Dask path (optional extra [dask]) gives what the single process gives."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("dask.bag")

from tracker.distributed import extract_path, extract_to_jsonl  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import make_archive  # noqa: E402


def test_dask_output_equals_the_single_process_output(tmp_path):
    archive = tmp_path / "archive"
    make_archive.write_archive(12, archive, seed=2)
    paths = sorted(str(p) for p in archive.rglob("*.txt")) + [str(tmp_path / "missing.txt")]
    written = extract_to_jsonl(paths, tmp_path / "docs", partition_size=5, scheduler="processes", num_workers=2)
    assert [Path(p).name for p in written] == ["00000.jsonl", "00001.jsonl", "00002.jsonl"]
    lines = [json.loads(line) for p in written for line in Path(p).read_text(encoding="utf-8").splitlines()]
    assert lines == [extract_path(p) for p in paths]
    assert lines[-1] == {"path": paths[-1], "error": "no such file"}
    assert all(doc["text"] and doc["report"]["sha256"] for doc in lines[:-1])
