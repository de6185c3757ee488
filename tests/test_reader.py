"""Reading report files: encodings give the same text, binaries and empties are refused."""
from __future__ import annotations

import pytest

from tracker import ReadError, extract, read_report

REPORT = "خرج اليوم أكثر من 400 شخص من المخيم، من بينهم 45 طفلاً.\r\nوصل نحو 900 مدني أمس."


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "cp1256"])
def test_encodings_give_the_same_text_and_figures(tmp_path, encoding):
    path = tmp_path / f"report-{encoding}.txt"
    if encoding == "utf-16-le-bom":
        path.write_bytes(b"\xff\xfe" + REPORT.encode("utf-16-le"))
    elif encoding == "utf-16-be-bom":
        path.write_bytes(b"\xfe\xff" + REPORT.encode("utf-16-be"))
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
