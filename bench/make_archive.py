"""Write a synthetic archive of displacement reports, Arabic and English, for benchmarks.

    python bench/make_archive.py --reports 100000 --out /tmp/archive --seed 1

Every report is invented from the templates below (no sentence comes from a real
report). The archive tells consistent series over time: each evacuation *operation*
(an origin emptying into a camp) has batches on dated days; a report gives the day's
batch, the people who left in the last 48 hours (a window: the sum of the batches in
it), the running total since the operation began (a cumulative: the sum of all its
batches so far), the camp's population (a stock) and sometimes the area still held.
About one report in ten is a recap that repeats earlier batches with their dates.

Files are named YYYY/MM/YYYY-MM-DD-NNNNNN.LANG.txt, 1-6 KB each, and are written as
they are generated: memory does not grow with --reports. The same seed writes the
same files, byte for byte.
"""
from __future__ import annotations

import argparse
import random
import sys
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

START = date(2014, 1, 1)
MIN_BYTES, MAX_BYTES = 1024, 6 * 1024

# --- words -----------------------------------------------------------------------------------
# Invented places: (Arabic, English).
ORIGINS = [("الوادي الأخضر", "Green Valley"), ("تل الصفصاف", "Tal al-Safsaf"), ("قرية السنديان", "Sindiyan village"),
           ("بلدة المروج", "al-Muruj town"), ("جيب الرمانة", "the Rummana pocket"), ("حي القلعة الجديد", "New Citadel district"),
           ("ريف البادية الشرقي", "the eastern Badiya countryside"), ("بلدة عين الزيتون", "Ain al-Zaytoun town"),
           ("قرية الشيخ نجم", "Sheikh Najm village"), ("منطقة السهل الشمالي", "the northern plain"),
           ("بلدة الجسر العتيق", "Old Bridge town"), ("جيب وادي النخيل", "the Palm Valley pocket")]
CAMPS = [("مخيم الرابية", "al-Rabiya camp"), ("مخيم الأمل", "al-Amal camp"), ("مخيم السلام الشرقي", "East Salam camp"),
         ("مخيم النور", "al-Nour camp"), ("مخيم الواحة", "al-Waha camp"), ("مخيم الياسمين", "Yasmin camp")]
FORCES = [("قوات الحماية المحلية", "the local protection forces"), ("التحالف الدولي", "the international coalition"),
          ("الفصائل المسلحة", "the armed factions")]
PUBLISHERS = [("المرصد السوري", "the Syrian Observatory"), ("مكتب تنسيق الشؤون الإنسانية", "OCHA"),
              ("المفوضية", "UNHCR")]

AR_MONTHS = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول",
             "تشرين الأول", "تشرين الثاني", "كانون الأول"]
AR_MONTHS_2 = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر",
               "أكتوبر", "نوفمبر", "ديسمبر"]
AR_WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
EN_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December"]
EN_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Background sentences with no figures, to bring a report to its length.
AR_FILLER = [
    "وتعاني العائلات الواصلة من نقص حاد في الخيام والأغطية ومياه الشرب مع انخفاض درجات الحرارة ليلاً.",
    "وأشارت مصادر محلية إلى أن الطريق الواصل بين {origin} و{camp} يشهد ازدحاماً كبيراً بالسيارات والشاحنات.",
    "وطالب ناشطون المنظمات الإنسانية بتسريع إيصال المساعدات الغذائية والطبية إلى المخيمات المكتظة.",
    "ولا تزال عمليات التفتيش والتدقيق في هويات الخارجين مستمرة عند نقاط التجمع قبل نقلهم.",
    "وتحدث عدد من الخارجين عن ظروف معيشية صعبة عاشوها خلال الأسابيع الماضية بسبب الحصار وشح الطعام.",
    "وفي سياق متصل، سمعت أصوات انفجارات متقطعة في محيط {origin} دون ورود معلومات عن خسائر بشرية.",
    "وتستمر فرق الإغاثة في تسجيل الوافدين الجدد وتوزيعهم على القطاعات المخصصة داخل {camp}.",
    "ويخشى السكان من تفشي الأمراض في ظل غياب شبكات الصرف الصحي وقلة النقاط الطبية.",
    "وأفادت مصادر أهلية بأن كثيراً من العائلات خرجت سيراً على الأقدام قبل أن تقلها الحافلات من نقطة التجمع.",
    "ويأتي ذلك وسط هدوء حذر يسود خطوط التماس منذ ساعات الصباح الأولى.",
    "وناشدت إدارة {camp} الجهات المانحة توفير مزيد من الخيام والمواد الأساسية لاستيعاب الوافدين.",
    "وكانت {force} قد فتحت ممراً لخروج المدنيين بعد مفاوضات استمرت أياماً مع وجهاء المنطقة.",
    "وتواصل طائرات الاستطلاع تحليقها في أجواء المنطقة بشكل متواصل.",
    "وأكد شهود عيان أن بين الخارجين مسنين ومرضى بحاجة إلى رعاية عاجلة.",
    "ويعيش قاطنو المخيم أوضاعاً إنسانية مأساوية في ظل نقص التمويل المخصص للاستجابة.",
]
EN_FILLER = [
    "Families arriving at {camp} describe shortages of tents, blankets and clean water as nights grow colder.",
    "Local sources said the road between {origin} and {camp} was crowded with cars and trucks throughout the day.",
    "Aid groups called for faster delivery of food and medical supplies to the overcrowded camps.",
    "Screening of those leaving continued at the gathering points before they were moved on.",
    "Several of those who left spoke of weeks of hardship under siege, with little food and no power.",
    "Intermittent explosions were heard around {origin}, with no reports of casualties so far.",
    "Relief teams kept registering new arrivals and assigning them to sections inside {camp}.",
    "Residents fear disease outbreaks given the lack of sanitation and the few medical points.",
    "Many families walked out on foot before buses collected them at the gathering point.",
    "A cautious calm held along the front lines since the early morning hours.",
    "The administration of {camp} urged donors to provide more tents and basic supplies for the newcomers.",
    "{Force} opened a corridor for civilians after days of talks with community elders.",
    "Surveillance aircraft kept flying over the area without interruption.",
    "Witnesses said the elderly and the sick were among those leaving and needed urgent care.",
    "People in the camp live in dire conditions as funding for the response falls short.",
]
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass
class Operation:
    """One origin emptying into one camp, from `began` on."""

    origin: int
    camp: int
    force: int
    began: date
    ends: date
    total: int = 0
    fighters: int = 0
    camp_base: int = 0
    area: float = 0.0
    batches: deque = field(default_factory=lambda: deque(maxlen=12))   # (day, people)

    def window(self, day: date, hours: int = 48) -> int:
        first = day - timedelta(days=hours // 24 - 1)
        return sum(n for d, n in self.batches if first <= d <= day)


def archive_days(reports: int) -> int:
    """About 27 reports a day, as a busy monitor publishes, between a month and ten years."""
    return max(30, min(3650, reports // 27))


def new_operation(rng: random.Random, day: date) -> Operation:
    return Operation(origin=rng.randrange(len(ORIGINS)), camp=rng.randrange(len(CAMPS)),
                     force=rng.randrange(len(FORCES)), began=day, ends=day + timedelta(days=rng.randint(20, 240)),
                     camp_base=rng.randint(8, 70) * 1000, area=round(rng.uniform(4, 60), 1))


# --- formatting ------------------------------------------------------------------------------

def ar_date(rng: random.Random, d: date, year: bool = True) -> str:
    months = AR_MONTHS if rng.random() < 0.6 else AR_MONTHS_2
    return f"{d.day} {months[d.month - 1]}" + (f" {d.year}" if year else "")


def en_date(rng: random.Random, d: date, year: bool = True) -> str:
    if rng.random() < 0.5:
        return f"{d.day} {EN_MONTHS[d.month - 1]}" + (f" {d.year}" if year else "")
    return f"{EN_MONTHS[d.month - 1]} {d.day}" + (f", {d.year}" if year else "")


def thousands_ar(n: int) -> str:
    return f"{n // 1000} ألف" if n % 1000 == 0 and n >= 3000 else str(n)


def thousands_en(n: int) -> str:
    return f"{n:,}"


def ar_report(rng: random.Random, day: date, op: Operation, batch: int, recap: list, code: str) -> list[str]:
    origin, camp, force = ORIGINS[op.origin][0], CAMPS[op.camp][0], FORCES[op.force][0]
    pub = rng.choice(PUBLISHERS)[0]
    wd = AR_WEEKDAYS[day.weekday()]
    approx = rng.choice(["نحو ", "قرابة ", "أكثر من ", "", "حوالي "])
    lines = []
    if rng.random() < 0.5:
        lines.append(f"{wd} {ar_date(rng, day)}")
    lines.append(rng.choice([f"خروج دفعة جديدة من {origin} باتجاه {camp}",
                             f"استمرار حركة النزوح من {origin}", f"تقرير ميداني حول الخارجين من {origin}"]))
    body = []
    if recap:
        parts = "، و".join(f"{n} شخصاً في {ar_date(rng, d, year=False)}" for d, n in recap)
        body.append(f"يستعرض {pub} في هذا التقرير الدفعات التي خرجت من {origin} خلال الفترة الماضية، "
                    f"إذ رصد خروج {parts}.")
    else:
        body.append(f"رصد {pub} اليوم {wd} خروج دفعة جديدة من {approx}{batch} شخصاً من {origin} "
                    f"نحو {camp}، على متن حافلات وشاحنات.")
        window = op.window(day)
        if window > batch and rng.random() < 0.7:
            body.append(f"ليرتفع عدد الخارجين خلال الـ 48 ساعة الأخيرة إلى {window} شخصاً.")
    if rng.random() < 0.8:
        since = ar_date(rng, op.began, year=rng.random() < 0.5)
        part = f"، بينهم {op.fighters} عنصراً من المقاتلين" if op.fighters and rng.random() < 0.5 else ""
        body.append(f"وبذلك يرتفع عدد الذين خرجوا من {origin} منذ {since} إلى {thousands_ar(op.total)} "
                    f"شخصاً{part}.")
    if rng.random() < 0.5:
        body.append(f"ويضم {camp} حالياً نحو {thousands_ar(round(op.camp_base + op.total, -3))} شخص.")
    if rng.random() < 0.25:
        body.append(f"ولا تزال {force} تحاصر آخر جيب في المنطقة على مساحة {op.area} كلم مربع.")
    fill = [f.format(origin=origin, camp=camp, force=force) for f in AR_FILLER]
    return lines, body, fill, f"مرجع: {code}"


def en_report(rng: random.Random, day: date, op: Operation, batch: int, recap: list, code: str) -> list[str]:
    origin, camp, force = ORIGINS[op.origin][1], CAMPS[op.camp][1], FORCES[op.force][1]
    pub = rng.choice(PUBLISHERS)[1]
    wd = EN_WEEKDAYS[day.weekday()]
    approx = rng.choice(["about ", "nearly ", "more than ", "", "some "])
    lines = []
    if rng.random() < 0.5:
        lines.append(f"{wd}, {en_date(rng, day)}")
    lines.append(rng.choice([f"New convoy leaves {origin} for {camp}", f"Displacement from {origin} continues",
                             f"Field update on people leaving {origin}"]))
    body = []
    if recap:
        parts = ", ".join(f"{n} people on {en_date(rng, d, year=False)}" for d, n in recap)
        body.append(f"In this update {pub} recounts the groups that left {origin} over the past weeks: {parts}.")
    else:
        body.append(f"{approx.capitalize() or 'A group of '}{batch} people left {origin} for {camp} on {wd}, "
                    f"{pub} said, travelling on buses and trucks.")
        window = op.window(day)
        if window > batch and rng.random() < 0.7:
            body.append(f"That brings the number who left in the past 48 hours to {thousands_en(window)}.")
    if rng.random() < 0.8:
        since = en_date(rng, op.began, year=rng.random() < 0.5)
        part = f", including {op.fighters} fighters" if op.fighters and rng.random() < 0.5 else ""
        body.append(f"Since {since}, {thousands_en(op.total)} people have left {origin}{part}.")
    if rng.random() < 0.5:
        body.append(f"{camp[0].upper() + camp[1:]} now holds about {thousands_en(round(op.camp_base + op.total, -3))} people.")
    if rng.random() < 0.25:
        body.append(f"{force[0].upper() + force[1:]} still besiege the last pocket, an area of {op.area} square kilometres.")
    fill = [f.format(origin=origin, camp=camp, Force=force[0].upper() + force[1:]) for f in EN_FILLER]
    return lines, body, fill, f"Ref: {code}"


def render(rng: random.Random, parts, target: int) -> str:
    """Head lines, body, then background sentences until the text weighs about `target` bytes."""
    lines, body, fill, ref = parts
    text = "\n".join(lines) + "\n\n" + " ".join(body)
    paragraphs = [text]
    size = len(text.encode("utf-8"))
    order = rng.sample(fill, len(fill))
    i = 0
    while size < target:
        sentence = order[i % len(order)]
        i += 1
        if size + len(sentence.encode("utf-8")) + 2 > MAX_BYTES - 64:
            break
        if rng.random() < 0.3:
            paragraphs.append(sentence)
        else:
            paragraphs[-1] += " " + sentence
        size += len(sentence.encode("utf-8")) + 1
    paragraphs.append(ref)
    return "\n\n".join(paragraphs) + "\n"


# --- the archive ---------------------------------------------------------------------------

def generate(reports: int, seed: int = 1, concurrent: int = 24):
    """Yield (relative path, text) for each report, in date order."""
    rng = random.Random(seed)
    days = archive_days(reports)
    ops = [new_operation(rng, START) for _ in range(concurrent)]
    for i in range(reports):
        day = START + timedelta(days=i * days // reports)
        k = rng.randrange(len(ops))
        if day > ops[k].ends:
            ops[k] = new_operation(rng, day)
        op = ops[k]
        lang = "ar" if rng.random() < 0.6 else "en"
        recap = []
        batch = 0
        if len(op.batches) >= 3 and rng.random() < 0.1:
            recap = rng.sample(list(op.batches), 3)
            recap.sort()
        else:
            batch = rng.choice([rng.randint(40, 400), rng.randint(100, 1500), rng.randint(10, 60) * 50])
            op.batches.append((day, batch))
            op.total += batch
            op.fighters += rng.randint(0, batch // 20)
        code = "".join(rng.choice(LETTERS) for _ in range(10))
        parts = (ar_report if lang == "ar" else en_report)(rng, day, op, batch, recap, code)
        text = render(rng, parts, int(rng.triangular(MIN_BYTES + 200, MAX_BYTES - 300, 2200)))
        yield f"{day:%Y}/{day:%m}/{day.isoformat()}-{i:06d}.{lang}.txt", text


def write_archive(reports: int, out: Path, seed: int = 1) -> tuple[int, int]:
    """Write the archive under `out`; return (files, bytes)."""
    total = 0
    made = set()
    for rel, text in generate(reports, seed):
        path = out / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        data = text.encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return reports, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reports", type=int, default=1000, help="how many reports (default 1000)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into (created)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args(argv)
    files, size = write_archive(args.reports, args.out, args.seed)
    print(f"{files} reports, {size / 1e6:.1f} MB in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
