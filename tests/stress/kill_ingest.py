"""Kill `tracker ingest` with SIGKILL at random points, then run it to the end; check the database.

    python tests/stress/kill_ingest.py --files 5000 --kills 20 [--seed 1] [--keep DIR]

Writes FILES invented reports (Arabic and English, each different; UTF-8, UTF-16 and
Windows-1256) to a temporary folder, starts `tracker ingest FOLDER` KILLS times and
SIGKILLs each run at a random moment while it writes (once it has stored its first
report, after a further uniform 0 to MAX_DELAY seconds), then runs the same command
once more without interruption. After every kill and at the end it checks that:

* `PRAGMA integrity_check` is "ok" and `PRAGMA foreign_key_check` is empty;
* every stored report is whole: its figures and warnings are exactly those the
  extractor gives for its text (compared figure by figure), nothing more, nothing less;
* (at the end) every file is stored once: as many reports as files, the last run says
  "N read: k new, N-k already stored, 0 failed", and `tracker check` passes.

Prints one line per run and a summary; exit status 1 if any check failed. The test
suite runs the same code on 200 files with 3 kills (tests/test_robustness.py).
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PLACES_EN = ["Baghuz", "Hajin", "al-Hol camp", "Deir Ezzor", "Idlib", "Manbij", "Raqqa", "Afrin"]
PLACES_AR = ["الباغوز", "هجين", "مخيم الهول", "دير الزور", "إدلب", "منبج", "الرقة", "عفرين"]
MONTHS_AR = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران"]


def report_text(i: int, rng: random.Random) -> str:
    """An invented report; the number i makes every text different."""
    day, month = 1 + i % 28, 1 + (i // 28) % 6
    a, b, c = rng.randint(20, 900), rng.randint(2, 60), rng.randint(1000, 90000)
    if i % 2:
        place, other = rng.sample(PLACES_EN, 2)
        return (f"Bulletin {i}. On {day} {['January', 'February', 'March', 'April', 'May', 'June'][month - 1]} 2019 "
                f"about {a} people left {place} towards {other}, among them {b} children.\n"
                f"Since the start of the year more than {c:,} people have left the area.\r\n"
                f"Local sources said {b + 3} families were still waiting at the checkpoint.")
    place, other = rng.sample(PLACES_AR, 2)
    return (f"نشرة رقم {i}: خرج نحو {a} شخصاً من {place} باتجاه {other} يوم {day} {MONTHS_AR[month - 1]} 2019، "
            f"بينهم {b} طفلاً.\nوبذلك يرتفع عدد الخارجين منذ بداية العام إلى أكثر من {c} شخص.\n"
            f"وأفادت مصادر بأن {b + 3} عائلة لا تزال تنتظر عند الحاجز.")


def write_reports(folder: Path, count: int, seed: int) -> list[Path]:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"{i // 500:02}" / f"report {i:05}{'.ar' if i % 2 == 0 else '.en'}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(report_text(i, rng), encoding="utf-8" if i % 3 else "cp1256" if i % 2 == 0 else "utf-16")
        paths.append(path)
    return paths


def tracker(db: Path, *args: str, out=subprocess.PIPE) -> subprocess.Popen:
    """`tracker ARGS` in a new process group (so that its workers can be found after a kill)."""
    return subprocess.Popen([sys.executable, "-m", "cli", "--db", str(db), *args], cwd=ROOT,
                            stdout=out, stderr=out, text=True, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def kill_leftovers(proc: subprocess.Popen) -> bool:
    """SIGKILL what is left of the killed run's process group (--jobs workers); True if any was left."""
    try:
        os.killpg(proc.pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def expected_figures(path: str, text: str) -> tuple[list[tuple], int]:
    from tracker import extract
    doc = extract(text, published=None, lang=None, path=path, publisher=None)
    figs = [(f["id"], f["kind"], f["category"], f["value"], f["evidence"]["start"], f["evidence"]["end"])
            for f in doc["figures"]]
    return figs, len(doc.get("warnings") or [])


def verify(db: Path, expected_cache: dict) -> list[str]:
    """Problems found in the database (empty: sound, only whole reports)."""
    problems = []
    conn = sqlite3.connect(db, timeout=60)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        if conn.execute("PRAGMA foreign_key_check").fetchall():
            problems.append("foreign_key_check found orphans")
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'reports'").fetchone():
            return problems                              # killed before the schema was created
        for report_id, path, text in conn.execute("SELECT id, path, text FROM reports"):
            stored = conn.execute('SELECT idx, kind, category, value, evidence_start, evidence_end FROM figures '
                                  'WHERE report_id = ? ORDER BY idx', [report_id]).fetchall()
            warnings = conn.execute("SELECT count(*) FROM warnings WHERE report_id = ?", [report_id]).fetchone()[0]
            if report_id not in expected_cache:
                expected_cache[report_id] = expected_figures(path, text)
            figs, n_warnings = expected_cache[report_id]
            if [tuple(row) for row in stored] != figs or warnings != n_warnings:
                problems.append(f"report {path} is not whole: {len(stored)} figures stored, {len(figs)} expected")
    finally:
        conn.close()
    return problems


def count_reports(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db, timeout=60)
    try:
        return conn.execute("SELECT count(*) FROM reports").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


def run(files: int, kills: int, workdir: Path, seed: int = 1, max_delay: float = 1.0, log=print) -> dict:
    """The whole experiment; returns a summary dict with "problems" (empty when all is well)."""
    rng = random.Random(seed)
    folder, db = workdir / "reports", workdir / "killed.db"
    t0 = time.time()
    write_reports(folder, files, seed)
    log(f"{files} reports written in {time.time() - t0:.1f} s")
    cache: dict = {}
    problems: list[str] = []
    killed, orphans = 0, 0
    for attempt in range(kills):
        before = count_reports(db)
        started = time.time()
        proc = tracker(db, "ingest", str(folder), out=subprocess.DEVNULL)
        while proc.poll() is None and count_reports(db) == before and time.time() - started < 600:
            time.sleep(0.02)                             # until it is writing
        try:
            proc.wait(timeout=rng.uniform(0, max_delay))
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)            # the fault: the ingest process dies at once
        proc.wait()
        time.sleep(0.2)
        if kill_leftovers(proc):
            orphans += 1
        if proc.returncode == -signal.SIGKILL:
            killed += 1
        found = verify(db, cache)
        problems += [f"after kill {attempt + 1}: {p}" for p in found]
        log(f"run {attempt + 1}: {'killed' if proc.returncode == -signal.SIGKILL else 'finished'} after "
            f"{time.time() - started:.2f} s; reports {before} -> {count_reports(db)}; "
            f"{'sound' if not found else '; '.join(found[:3])}")
    started = time.time()
    proc = tracker(db, "ingest", str(folder))
    out, err = proc.communicate(timeout=3600)
    stored = count_reports(db)
    log(f"final run: exit {proc.returncode} in {time.time() - started:.1f} s: {out.strip()}")
    if proc.returncode != 0:
        problems.append(f"final run failed: {err.strip()[:500]}")
    if not out.startswith(f"{files} read: ") or " 0 failed" not in out:
        problems.append(f"final run summary: {out.strip()}")
    if stored != files:
        problems.append(f"{stored} reports stored for {files} files")
    problems += [f"at the end: {p}" for p in verify(db, cache)]
    check = subprocess.run([sys.executable, "-m", "cli", "--db", str(db), "check"], cwd=ROOT,
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if check.returncode != 0:
        problems.append(f"tracker check: {check.stdout.strip()} {check.stderr.strip()}")
    summary = {"files": files, "kills": killed, "attempts": kills, "stored": stored, "orphaned_runs": orphans,
               "seconds": round(time.time() - t0, 1), "problems": problems}
    log(f"{files} files, {killed} of {kills} runs killed, {stored} reports stored once each; "
        f"{'no problems' if not problems else f'{len(problems)} problems'} ({summary['seconds']} s)")
    if orphans:
        log(f"note: {orphans} killed run(s) left worker processes behind (killed by this script)")
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--max-delay", type=float, default=1.0)
    parser.add_argument("--keep", type=Path, help="Work in this folder and keep it.")
    args = parser.parse_args()
    if args.keep:
        summary = run(args.files, args.kills, args.keep, args.seed, args.max_delay)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            summary = run(args.files, args.kills, Path(tmp), args.seed, args.max_delay)
    for problem in summary["problems"][:50]:
        print("problem:", problem)
    return 1 if summary["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
