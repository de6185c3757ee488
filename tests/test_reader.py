"""Reading report files: encodings give the same text, binaries and empties are refused."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracker import ReadError, extract, read_report

REPORT = "خرج اليوم أكثر من 400 شخص من المخيم، من بينهم 45 طفلاً.\r\nوصل نحو 900 مدني أمس."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "cp1256",
                                      "iso8859-6", "utf-16-le", "utf-16-be"])
def test_encodings_give_the_same_text_and_figures(tmp_path, encoding):
    path = tmp_path / f"report-{encoding}.txt"
    if encoding == "utf-16-le-bom":
        path.write_bytes(b"\xff\xfe" + REPORT.encode("utf-16-le"))
    elif encoding == "utf-16-be-bom":
        path.write_bytes(b"\xfe\xff" + REPORT.encode("utf-16-be"))
    elif encoding in ("utf-16-le", "utf-16-be"):            # no BOM
        path.write_bytes(REPORT.encode(encoding))
    else:
        path.write_bytes(REPORT.encode(encoding))
    source = read_report(path)
    assert source.text == REPORT
    expected = extract(REPORT, published="2020-05-10")["figures"]
    assert extract(source.text, published="2020-05-10")["figures"] == expected


@pytest.mark.parametrize("data,reason", [
    (b"", "is empty"),
    (b"  \n\t ", "is empty"),
    (b"%PDF-1.7 ...", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
    (b"PK\x03\x04rest", "ZIP"),
    (bytes(range(32)) * 20, "binary"),
])
def test_refused_with_a_reason_naming_the_file(tmp_path, data, reason):
    path = tmp_path / "bad name ملف.txt"
    path.write_bytes(data)
    with pytest.raises(ReadError) as info:
        read_report(path)
    assert str(path) in str(info.value) and reason in str(info.value)


def test_missing_and_directory(tmp_path):
    with pytest.raises(ReadError, match="no such file"):
        read_report(tmp_path / "nope.txt")
    with pytest.raises(ReadError, match="is a directory"):
        read_report(tmp_path)


def test_size_limit(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("x" * 2000)
    with pytest.raises(ReadError, match="over the limit"):
        read_report(path, max_bytes=1000)


def test_nul_bytes_are_dropped(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes("400 people left today.\x00".encode())
    assert read_report(path).text == "400 people left today."


# --- more encodings, line endings, damaged files ------------------------------------------------

# Invented sentences that use the letters where Windows-1256 and ISO-8859-6 differ (و ي ه ط ف ق ك ل م ن).
ARABIC = ("غادر نحو 300 شخص مخيم الهول يوم الثلاثاء، وقالت مصادر محلية إن قافلة أخرى تضم "
          "أكثر من 120 عائلة في طريقها إلى الشمال.\nوصل 75 طفلاً مع ذويهم.")
ENGLISH = "About 300 people left the camp on 3 March 2019.\nMore than 50 families arrived on 4 March 2019."


def figures_of(text: str) -> list[tuple]:
    """What a figure says, without its offsets (which move with line endings)."""
    return [(f["kind"], f["category"], f["value"], f["qualifier"], f["start"], f["end"], f["evidence"]["text"])
            for f in extract(text, published="2019-03-05")["figures"]]


@pytest.mark.parametrize("text", [ARABIC, ENGLISH])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1256", "iso8859-6", "utf-16-le", "utf-16-be"])
def test_single_byte_and_bomless_encodings_are_told_apart(tmp_path, text, encoding):
    if encoding == "iso8859-6" and not text.isascii():
        assert text.encode("cp1256").decode("iso8859-6", "replace") != text   # the two really differ
    path = tmp_path / "r.txt"
    path.write_bytes(text.encode(encoding))
    source = read_report(path)
    assert source.text == text
    if not text.isascii():
        assert source.encoding == encoding


def test_iso_8859_6_gives_the_same_figures_as_utf8(tmp_path):
    path = tmp_path / "iso.txt"
    path.write_bytes(ARABIC.encode("iso8859-6"))
    assert figures_of(read_report(path).text) == figures_of(ARABIC) != []


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "mixed"])
def test_line_endings_are_kept_and_give_the_same_figures(tmp_path, newline):
    lines = (ARABIC + "\n" + ENGLISH).split("\n")
    if newline == "mixed":
        text = "".join(line + ("\r\n", "\n", "\r")[i % 3] for i, line in enumerate(lines))
    else:
        text = newline.join(lines)
    path = tmp_path / "r.txt"
    path.write_bytes(text.encode("utf-8"))
    got = read_report(path).text
    assert got == text                                   # offsets point into the text as read
    assert figures_of(got) == figures_of("\n".join(lines))


def test_nul_bytes_anywhere_are_dropped(tmp_path):
    path = tmp_path / "nul.txt"
    path.write_bytes(b"\x00" + ENGLISH.encode().replace(b" ", b" \x00", 3) + b"\x00" * 500)
    assert read_report(path).text == ENGLISH


def test_a_download_cut_in_the_middle_of_a_character(tmp_path):
    data = ARABIC.encode("utf-8")
    cut = data[:-1]                                      # the last letter lost its second byte
    path = tmp_path / "cut.txt"
    path.write_bytes(cut)
    source = read_report(path)
    assert (source.encoding, source.text) == ("utf-8", ARABIC[:-1])
    path.write_bytes(b"\xff\xfe" + ARABIC.encode("utf-16-le")[:-1])   # odd length UTF-16
    assert read_report(path).text == ARABIC[:-1]


def test_a_few_stray_bytes_do_not_turn_utf8_into_mojibake(tmp_path):
    data = ARABIC.encode("utf-8")
    path = tmp_path / "stray.txt"
    path.write_bytes(data[:40] + b"\xff" + data[40:])    # data[:40] ends on a character boundary
    source = read_report(path)
    assert source.encoding == "utf-8" and source.text.count("\ufffd") == 1
    assert source.text.replace("\ufffd", "") == ARABIC


@pytest.mark.parametrize("data,what", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG"),
    (b"GIF89a\x01\x00", "GIF"),
    (b"\x1f\x8b\x08\x00rest", "gzip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Office"),
    (b"{\\rtf1\\ansi \\'c7\\'e1", "RTF"),
    (b"\x00\x00\x00\x18ftypmp42" + bytes(40), "media"),
    (b"report.txt".ljust(257, b"\x00") + b"ustar\x0000" + bytes(200), "tar"),
    (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00\x36\x00\x00\x00" + bytes(40), "BMP"),
    (b"\x7fELF\x02\x01\x01", "executable"),
    (bytes(range(256)) * 64, "binary"),                 # no signature: control characters
    (ENGLISH.encode() * 20 + bytes(range(1, 32)) * 400, "binary"),   # text, then binary further on
])
def test_binaries_are_refused_by_signature_or_content(tmp_path, data, what):
    path = tmp_path / "saved from the web.txt"
    path.write_bytes(data)
    with pytest.raises(ReadError, match=what):
        read_report(path)


def test_ansi_escapes_in_a_report_are_text_not_binary(tmp_path):
    path = tmp_path / "coloured.txt"
    text = "\x1b[31mAbout 300 people\x1b[0m left the camp on 3 March 2019. " * 20
    path.write_text(text, encoding="utf-8")
    assert read_report(path).text == text


def test_size_limit_counts_bytes_and_is_checked_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_bytes(b"x" * 1001)
    with pytest.raises(ReadError, match=r"is 1001 bytes, over the limit of 1000 \(--max-bytes\)"):
        read_report(path, max_bytes=1000)
    assert read_report(path, max_bytes=1001).text == "x" * 1001
    import io
    from tracker.reader import read_stream
    with pytest.raises(ReadError, match="<stdin>: is more than 10 bytes"):
        read_stream(io.BytesIO(b"y" * 11), max_bytes=10)
    assert read_stream(io.BytesIO(b"About 3 people"), max_bytes=100).text == "About 3 people"


def test_parse_size():
    from tracker.reader import parse_size
    assert [parse_size(v) for v in ("1000", "500k", "50MB", "50 mb", "1G", "2MiB")] == \
        [1000, 512000, 50 * 2**20, 50 * 2**20, 2**30, 2 * 2**20]
    for bad in ("-5", "0", "lots", "5TB", "1e9", "99999999999999"):
        with pytest.raises(ValueError, match=repr(bad)):
            parse_size(bad)


@pytest.mark.parametrize("encoding", ["utf-8", "cp1256"])
def test_fifty_megabytes_are_read_within_250_mb(tmp_path, encoding):
    """A 50 MB Arabic report is read, in a fresh process, with a peak RSS under 250 MB."""
    import subprocess
    import sys
    path = tmp_path / "fifty.txt"
    line = (ARABIC + "\n").encode(encoding)
    with open(path, "wb") as fh:
        for _ in range(50 * 2**20 // len(line)):
            fh.write(line)
    # VmHWM, not ru_maxrss: the latter survives exec, so it would count the test runner's own memory
    code = ("import sys; from tracker.reader import read_report; s = read_report(sys.argv[1]); "
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; "
            "print(len(s.text), hwm)")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent)
    chars, peak_kb = map(int, out.stdout.split())
    assert chars > 25_000_000 and peak_kb < 250 * 1024, f"peak {peak_kb // 1024} MB"


# --- file names, permissions, odd files ------------------------------------------------------

def test_names_with_spaces_and_arabic_characters(tmp_path):
    folder = tmp_path / "تقارير المرصد"
    folder.mkdir()
    path = folder / "تقرير يوم 5 آذار.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    assert read_report(path).path == str(path) and read_report(str(path)).text == ENGLISH


def test_control_characters_in_a_name_are_escaped_in_the_message(tmp_path):
    path = tmp_path / "evil\x1b[2J\nname.txt"
    with pytest.raises(ReadError) as info:
        read_report(path)
    message = str(info.value)
    assert "\x1b" not in message and "\n" not in message and "evil\\x1b[2J\\x0aname.txt: no such file" in message


def test_unreadable_file(tmp_path, monkeypatch):
    path = tmp_path / "locked.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    real_open = open

    def denied(file, *args, **kwargs):
        if str(file) == str(path):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", denied)
    with pytest.raises(ReadError, match="locked.txt: permission denied"):
        read_report(path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_file_by_permissions(tmp_path):
    path = tmp_path / "locked.txt"
    path.write_text(ENGLISH, encoding="utf-8")
    path.chmod(0)
    try:
        with pytest.raises(ReadError, match="permission denied"):
            read_report(path)
    finally:
        path.chmod(0o644)


def test_broken_links_and_loops(tmp_path):
    (tmp_path / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    with pytest.raises(ReadError, match="gone.txt: is a broken symbolic link"):
        read_report(tmp_path / "gone.txt")
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    with pytest.raises(ReadError, match="a.txt: cannot be read"):
        read_report(tmp_path / "a.txt")


def test_visible_escapes_control_characters_only():
    from tracker.reader import visible
    assert visible("نزح 300\tشخص\n\x1b[31m\x07\x9b\x7f\udcff") == "نزح 300\tشخص\n\\x1b[31m\\x07\\x9b\\x7f\\udcff"
    assert visible("a\nb\tc", lines=False) == "a\\x0ab\\x09c"
