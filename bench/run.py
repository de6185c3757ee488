"""Print tracker's speed and scale figures on this machine (a benchmark, not a test).

    python bench/run.py                 # the full run: 10k and 100k ingest, 1M figures (~15 min on 2 cores)
    python bench/run.py --quick         # a CI-sized check of every step (~1 min)
    python bench/run.py --skip ingest   # leave out steps: extract, ingest, queries, startup

It measures, on a synthetic archive (bench/make_archive.py) and on ../shared/corpus when
present:
- extraction on one core: reports/s and MB/s; beside it, in the same run, a bare pass
  that only finds the digits (re.findall) as the floor, and dateparser.search_dates
  (when installed: pip install -e '.[bench]') over the same texts, as ratios;
- `tracker ingest --jobs N` end to end: reports/s and peak memory, at 10k and 100k
  reports: the PSS of the ingest process and its workers summed (shared pages of the
  forked workers counted once), and beside it their RSS;
- `tracker totals`, `figures` (first page) and `reconcile` latency on a database of
  1,000,000 figures built through the store API (not by extracting); size per report;
- `tracker --help` wall time and `import tracker` time.

Work files go to --work (default: a folder under the system temp dir, kept between runs so
that the archives and the 1M database are made once).
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import make_archive  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
TRACKER = [sys.executable, "-m", "cli"]


def say(line: str = "") -> None:
    print(line, flush=True)


# --- archives ---------------------------------------------------------------------------------

def archive(work: Path, reports: int, seed: int = 1) -> Path:
    """The archive of `reports` reports under `work`, made once."""
    out = work / f"archive-{reports}-s{seed}"
    done = out / ".complete"
    if not done.exists():
        shutil.rmtree(out, ignore_errors=True)
        t = time.perf_counter()
        files, size = make_archive.write_archive(reports, out, seed)
        done.write_text(f"{files} {size}\n")
        say(f"  (made {out}: {files} reports, {size / 1e6:.1f} MB in {time.perf_counter() - t:.0f} s)")
    return out


def texts_of(paths: list[Path]) -> list[tuple[str, str]]:
    from tracker.reader import ReadError, read_report

    out = []
    for p in paths:
        try:
            out.append((str(p), read_report(p).text))
        except ReadError:
            pass
    return out


# --- extraction on one core -------------------------------------------------------------------

def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def _each(fn, texts: list[tuple[str, str]]) -> None:
    """fn(path, text) for each text, keeping no result."""
    for path, text in texts:
        fn(path, text)


def extraction(name: str, texts: list[tuple[str, str]], repeat: int, dateparser_max: int) -> None:
    from tracker import dates, extract
    from tracker.normalize import normalize

    size = sum(len(t.encode("utf-8")) for _, t in texts)
    extract(texts[0][1], path=texts[0][0])                    # words loaded, patterns compiled
    digits = re.compile(r"\d+")
    # each result is dropped as soon as it is made, as an ingest worker does: kept in a list,
    # 1,500 documents make the garbage collector walk them all again and again (10-20%)
    t_ex = best_of(lambda: _each(lambda p, t: extract(t, path=p), texts), repeat)
    t_floor = best_of(lambda: _each(lambda p, t: digits.findall(t), texts), max(repeat, 5))
    normed = [("", normalize(t).text) for _, t in texts]
    t_dates = best_of(lambda: _each(lambda p, t: dates._atoms.__wrapped__(t), normed), repeat)
    say(f"{name}: {len(texts)} reports, {size / 1e6:.2f} MB, {size / len(texts) / 1024:.1f} KB per report")
    say(f"  tracker extract      {len(texts) / t_ex:8.0f} reports/s  {size / t_ex / 1e6:6.2f} MB/s  "
        f"({t_ex / len(texts) * 1000:.2f} ms per report)")
    say(f"  digits floor         {len(texts) / t_floor:8.0f} reports/s  {size / t_floor / 1e6:6.1f} MB/s  "
        f"-> tracker is {t_ex / t_floor:.0f}x the floor's time")
    say(f"  dates atom pass      {t_dates / len(texts) * 1000:8.2f} ms per report")
    try:
        import dateparser.search  # noqa: F401
    except ImportError:
        say("  dateparser           not installed (pip install -e '.[bench]'): skipped")
        return
    from dateparser.search import search_dates

    sample = texts[:dateparser_max]
    sample_size = sum(len(t.encode("utf-8")) for _, t in sample)
    search_dates(sample[0][1][:200], languages=["ar", "en"])  # load its language data
    t0 = time.perf_counter()
    for _, t in sample:
        search_dates(t, languages=["ar", "en"])
    t_dp = time.perf_counter() - t0
    t_ex_sample = best_of(lambda: _each(lambda p, t: extract(t, path=p), sample), 1)
    say(f"  dateparser.search_dates {len(sample) / t_dp:5.1f} reports/s  {sample_size / t_dp / 1e6:6.3f} MB/s  "
        f"-> {t_dp / t_ex_sample:.1f}x tracker's time on the same {len(sample)} texts")


# --- ingest end to end ------------------------------------------------------------------------

def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _pss(pid: int) -> int:
    """Proportional set size: pages shared by forked workers are counted once in a sum."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return _rss(pid)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except (OSError, ValueError):
        return []


def _tree_memory(pid: int) -> tuple[int, int, int]:
    """(RSS of pid, RSS summed over pid and its descendants, PSS summed likewise) in bytes,
    from /proc (Linux). The RSS sum counts the pages a forked worker still shares with
    its parent once per process; the PSS sum is the memory the run really holds."""
    main = _rss(pid)
    rss, pss = main, _pss(pid)
    todo = _children(pid)
    while todo:
        p = todo.pop()
        rss += _rss(p)
        pss += _pss(p)
        todo.extend(_children(p))
    return main, rss, pss


def ingest(work: Path, folder: Path, reports: int, jobs: int) -> None:
    db = work / f"ingest-{reports}-j{jobs}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    t = time.perf_counter()
    proc = subprocess.Popen([*TRACKER, "--db", str(db), "ingest", str(folder), "--jobs", str(jobs)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak_main = peak_tree = peak_pss = 0
    while proc.poll() is None:
        main, tree, pss = _tree_memory(proc.pid)
        peak_main, peak_tree, peak_pss = max(peak_main, main), max(peak_tree, tree), max(peak_pss, pss)
        time.sleep(0.5)
    out, err = proc.communicate()
    took = time.perf_counter() - t
    if proc.returncode != 0:
        say(f"  ingest failed ({proc.returncode}): {err.strip()[-500:]}")
        return
    size = db.stat().st_size + sum(Path(f"{db}{s}").stat().st_size for s in ("-wal",) if Path(f"{db}{s}").exists())
    say(f"  {reports:>7} reports --jobs {jobs}: {took:6.1f} s, {reports / took:5.0f} reports/s, "
        f"peak memory {peak_pss / 2**20:.0f} MB (PSS, ingest process and its workers), "
        f"RSS {peak_main / 2**20:.0f} MB (ingest process), {peak_tree / 2**20:.0f} MB (summed with its workers); "
        f"database {size / reports / 1024:.1f} KB per report")
    say(f"          {out.strip()}")


# --- queries on a million figures -------------------------------------------------------------

CATS = ["people"] * 6 + ["civilians", "fighters", "families", "children", "women"]
PLACES = ["Hol camp", "Baghuz", "Hajin", "Raqqa", "Idlib", "Afrin", "Rukban camp", "Deir ez-Zor", None]


def synthetic_documents(count: int, figures_per_report: int, seed: int = 7):
    """(path, status, doc, text, reason) tuples as ingest.save_batch takes them."""
    from tracker.reader import text_sha256

    rng = random.Random(seed)
    start = date(2014, 1, 1)
    for i in range(count):
        day = start + timedelta(days=i * 3650 // count)
        text = f"Synthetic report {i} of the benchmark, dated {day.isoformat()}. " + \
            " ".join(f"figure {j} here." for j in range(figures_per_report))
        began = day - timedelta(days=rng.randint(5, 120))
        figs = []
        for j in range(figures_per_report):
            kind = rng.choice(["batch", "batch", "batch", "cumulative", "window", "stock", "area"])
            cat = "km2" if kind == "area" else rng.choice(CATS)
            first = began if kind == "cumulative" else day - timedelta(days=2) if kind == "window" else day
            figs.append({"id": j, "kind": kind, "category": cat, "value": rng.randint(10, 60000),
                         "high": None, "qualifier": rng.choice(["exact", "approx", "more_than", "at_least"]),
                         "start": None if kind == "stock" else first.isoformat(), "end": day.isoformat(),
                         "parent": 0 if j and cat == "fighters" and figs[0]["kind"] == kind else None,
                         "origin": rng.choice(PLACES), "destination": rng.choice(PLACES),
                         "evidence": {"text": f"figure {j}", "start": None, "end": None}})
        doc = {"report": {"path": f"bench/{day.isoformat()}-{i:07d}.en.txt", "sha256": text_sha256(text),
                          "published": day.isoformat(), "published_from": "filename", "language": "en",
                          "publisher": rng.choice(["SOHR", "UN", "AFP"])},
               "figures": figs, "warnings": []}
        yield doc["report"]["path"], "extracted", doc, text, None


def million(work: Path, figures: int) -> Path:
    """A database of `figures` figures (10 per report), made once through the store API."""
    from tracker import store
    from tracker.ingest import save_batch

    path = work / f"figures-{figures}.db"
    if path.exists() and (work / f"figures-{figures}.complete").exists():
        return path
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    t = time.perf_counter()
    db = store.open_db(path)
    batch = []
    for item in synthetic_documents(figures // 10, 10):
        batch.append(item)
        if len(batch) == 500:
            list(save_batch(db, batch))
            batch = []
    list(save_batch(db, batch))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.execute("ANALYZE")
    db.close()
    (work / f"figures-{figures}.complete").write_text("ok\n")
    say(f"  (made {path} in {time.perf_counter() - t:.0f} s)")
    return path


def timed_cli(db: Path, *args: str, repeat: int = 3) -> tuple[float, str]:
    best, out = float("inf"), ""
    for _ in range(repeat):
        t = time.perf_counter()
        proc = subprocess.run([*TRACKER, "--db", str(db), *args], capture_output=True, text=True, cwd=ROOT)
        best = min(best, time.perf_counter() - t)
        out = proc.stdout if proc.returncode == 0 else f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
    return best, out


def queries(work: Path, figures: int) -> None:
    from tracker import queries as q
    from tracker import store

    path = million(work, figures)
    db = store.open_db(path, create=False)
    n_figs = db.execute("SELECT count(*) FROM figures").fetchone()[0]
    n_reports = db.execute("SELECT count(*) FROM reports").fetchone()[0]
    say(f"  {n_figs:,} figures in {n_reports:,} reports; database {path.stat().st_size / n_reports / 1024:.1f} KB "
        f"per report (short synthetic texts)")
    since = date(2018, 12, 1)
    cases = [
        ("totals --since 2018-12-01 --summary", lambda: q.totals(db, since, None, [], [], None, details=False)),
        ("totals --since 2018-12-01", lambda: q.totals(db, since, None, [], [], None, details=True)),
        ("figures (first page of 50)", lambda: [row for row, _ in zip(q.figures(db), range(50))]),
        ("figures --kind batch --since 2018-12-01 (first 50)",
         lambda: [row for row, _ in zip(q.figures(db, ["batch"], [], since, None, [], None), range(50))]),
    ]
    for name, fn in cases:
        fn()
        say(f"  in-process {name:<50} {best_of(fn, 3) * 1000:8.1f} ms")
    db.close()
    help_time, _ = timed_cli(path, "--help")
    for args in (["totals", "--since", "2018-12-01", "--summary", "--json"], ["totals", "--since", "2018-12-01", "--json"],
                 ["figures", "--jsonl"], ["reconcile", "--help"]):
        if args[0] == "figures":
            t = time.perf_counter()
            proc = subprocess.Popen([*TRACKER, "--db", str(path), *args], stdout=subprocess.PIPE, cwd=ROOT)
            for _ in range(50):
                proc.stdout.readline()
            took = time.perf_counter() - t
            proc.kill()
            proc.wait()
            say(f"  tracker figures --jsonl (first 50 lines)              {took * 1000:8.0f} ms "
                f"(process start included; --help alone {help_time * 1000:.0f} ms)")
            continue
        if args[0] == "reconcile":
            if subprocess.run([*TRACKER, "reconcile", "--help"], capture_output=True, cwd=ROOT).returncode != 0:
                say("  tracker reconcile: no such command here: skipped")
                continue
            import resource

            for extra in ([], ["--jobs", "1"]):      # default: all cores (two processes at most)
                took, out = timed_cli(path, "reconcile", *extra, repeat=1)
                peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
                say(f"  tracker reconcile {' '.join(extra):<33} {took * 1000:8.0f} ms; largest process so far "
                    f"{peak:.0f} MB RSS" + ("" if not out.startswith("exit") else f"  ({out})"))
            continue
        took, out = timed_cli(path, *args)
        say(f"  tracker {' '.join(args):<45} {took * 1000:8.0f} ms" + ("" if not out.startswith("exit") else f"  ({out})"))


# --- start-up ---------------------------------------------------------------------------------

def startup() -> None:
    script = shutil.which("tracker")
    commands = [("tracker --help", [script, "--help"] if script else [*TRACKER, "--help"]),
                ("python -c 'import tracker'", [sys.executable, "-c", "import tracker"]),
                ("python -c 'import cli.main'", [sys.executable, "-c", "import cli.main"])]
    for name, cmd in commands:
        best = float("inf")
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run(cmd, capture_output=True, cwd=ROOT)
            best = min(best, time.perf_counter() - t)
        say(f"  {name:<30} {best * 1000:6.0f} ms (best of 5)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a check that every step runs")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "tracker-bench",
                        help="folder for archives and databases (kept between runs)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="ingest --jobs (default: all cores)")
    parser.add_argument("--skip", action="append", default=[], choices=["extract", "ingest", "queries", "startup"],
                        help="leave out a step (repeatable)")
    args = parser.parse_args(argv)
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    sizes = [300] if args.quick else [10_000, 100_000]
    sample = 100 if args.quick else 1500
    figures = 20_000 if args.quick else 1_000_000
    say(f"tracker benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}"
        + (" (quick)" if args.quick else ""))

    if "extract" not in args.skip:
        say("\n## Extraction, one core")
        paths = sorted(archive(work, sizes[-1]).rglob("*.txt"))
        step = max(1, len(paths) // sample)
        extraction("synthetic archive", texts_of(paths[::step][:sample]), 1 if args.quick else 5,
                   20 if args.quick else 100)
        if CORPUS.is_dir():
            extraction("../shared/corpus", texts_of(sorted(CORPUS.rglob("*.txt"))), 1 if args.quick else 5,
                       20 if args.quick else 60)
    if "ingest" not in args.skip:
        say(f"\n## tracker ingest --jobs {args.jobs}, end to end")
        for n in sizes:
            ingest(work, archive(work, n), n, args.jobs)
    if "queries" not in args.skip:
        say(f"\n## Queries on {figures:,} figures")
        queries(work, figures)
    if "startup" not in args.skip:
        say("\n## Start-up")
        startup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
