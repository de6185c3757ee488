"""Saved web pages: article text in, menus out; the page's date and site name as fallbacks.

The pages in fixtures/html are invented for these tests (an English and an Arabic news
page with navigation, share counts, comments and footers full of numbers, a page whose
text has its own dateline, and a page with nothing but a menu). Reading them needs the
[html] extra (trafilatura); the detection and the missing-extra message do not.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from tracker import extract, html
from tracker.reader import ReadError, decode, read_report

PAGES = Path(__file__).parent / "fixtures" / "html"
EN, AR, DATELINE, MENU = (PAGES / n for n in ("valley-monitor.en.html", "marsad.ar.html",
                                               "dateline.en.htm", "menu-only.html"))
runner = CliRunner()

needs_trafilatura = pytest.mark.skipif(not html.available(), reason="needs the [html] extra (trafilatura)")


# --- detection and the missing extra (no trafilatura needed) ---------------------------------------

@pytest.mark.parametrize("name, data", [
    ("page.html", b"anything"),
    ("PAGE.HTM", b"anything"),
    ("report.txt", b"<!DOCTYPE html>\n<html><body><p>x</p></body></html>"),
    ("-", b"\xef\xbb\xbf  \n<!-- saved from a browser -->\n<html lang='ar'><body></body></html>"),
    (None, "<!doctype html><html></html>".encode("utf-16")),
])
def test_web_pages_are_recognised(name, data):
    assert html.is_html(name, data)


@pytest.mark.parametrize("data", [
    b"About 300 families left on Sunday.",
    b"<b>bold</b> is not a page",
    "نزحت 200 عائلة <html> في النص".encode("utf-8"),
])
def test_text_reports_are_not_web_pages(data):
    assert not html.is_html("report.txt", data)


def test_without_trafilatura_a_page_is_a_one_line_failure(monkeypatch):
    def missing():
        raise ImportError("No module named 'trafilatura'")
    monkeypatch.setattr(html, "_trafilatura", missing)
    with pytest.raises(ReadError) as exc:
        read_report(EN)
    message = str(exc.value)
    assert "\n" not in message and str(EN) in message
    assert "pip install 'tracker[html]'" in message


def test_without_trafilatura_ingest_names_the_extra(tmp_path, monkeypatch):
    def missing():
        raise ImportError("No module named 'trafilatura'")
    monkeypatch.setattr(html, "_trafilatura", missing)
    result = runner.invoke(app, ["--db", str(tmp_path / "t.db"), "ingest", str(EN), "--jobs", "1"])
    assert result.exit_code == 1
    assert "tracker[html]" in result.output and "1 failed" in result.output


# --- reading pages ----------------------------------------------------------------------------------

@needs_trafilatura
def test_english_page_keeps_the_article_only():
    page = read_report(EN)
    assert isinstance(page, html.PageSource)
    assert page.text.startswith("Hundreds of families leave the river towns\n\nAbout 350 families left")
    assert "more than 4,200 people" in page.text
    for noise in ("Home", "About us", "12,000 shares", "7,000 fans", "Copyright", "newsletter", "dataLayer", "99999"):
        assert noise not in page.text
    assert (page.published, page.publisher) == ("2021-06-14", "Valley Monitor")
    assert page.url == "https://valley-monitor.example/news/river-towns"


@needs_trafilatura
def test_arabic_page_reads_json_ld_date_and_site_name():
    page = read_report(AR)
    assert "نزحت نحو 200 عائلة من قرى السهل الشرقي" in page.text
    assert "أكثر من 3000 شخص" in page.text
    for noise in ("الرئيسية", "اتصل بنا", "تعليق من زائر", "500", "جميع الحقوق"):
        assert noise not in page.text
    assert (page.published, page.publisher) == ("2021-07-03", "مرصد الوادي")


@needs_trafilatura
def test_windows_1256_page_declared_in_meta():
    body = "<p>نزحت نحو ثلاثمئة عائلة من القرى الشرقية يوم الأحد باتجاه المخيمات الشمالية بحسب متطوعين محليين</p>"
    data = ("<html><head><meta charset='windows-1256'></head><body><article>" + body
            + "</article></body></html>").encode("cp1256")
    assert "ثلاثمئة عائلة" in html.read_page(data, "old-page.html").text


@needs_trafilatura
def test_page_without_article_text_is_a_clear_failure():
    with pytest.raises(ReadError, match=r"menu-only.html: is a web page with no article text"):
        read_report(MENU)


@needs_trafilatura
def test_metadata_fills_date_and_publisher_and_evidence_points_into_the_extracted_text():
    page = read_report(EN)
    doc = extract(page.text, path=page.path, metadata=page.metadata)
    assert doc["report"]["published"] == "2021-06-14"
    assert doc["report"]["published_from"] == "metadata"
    assert doc["report"]["publisher"] == "Valley Monitor"
    assert doc["figures"]
    for fig in doc["figures"]:
        ev = fig["evidence"]
        assert page.text[ev["start"]:ev["end"]] == ev["text"]
    assert any(f["value"] == 350 and f["category"] == "families" for f in doc["figures"])


@needs_trafilatura
def test_the_text_and_the_options_outrank_the_metadata():
    page = read_report(DATELINE)
    assert page.published == "2021-08-20"                       # <meta name="date">
    doc = extract(page.text, path=page.path, metadata=page.metadata)
    assert (doc["report"]["published"], doc["report"]["published_from"]) == ("2021-08-16", "text")
    doc = extract(page.text, published="2021-08-17", path=page.path, metadata=page.metadata,
                  publisher="Desk")
    assert (doc["report"]["published"], doc["report"]["published_from"]) == ("2021-08-17", "option")
    assert doc["report"]["publisher"] == "Desk"


def test_metadata_outranks_the_file_name_and_a_publisher_named_in_the_text_outranks_the_site():
    text = "UNHCR said about 120 families left the valley on Sunday, walking north to the camps."
    meta = {"published": "2021-06-14", "publisher": "Valley Monitor"}
    doc = extract(text, path="2020-01-01-saved.html", metadata=meta)
    assert (doc["report"]["published"], doc["report"]["published_from"]) == ("2021-06-14", "metadata")
    assert doc["report"]["publisher"] == "UNHCR"
    assert extract(text, path="2020-01-01-saved.html")["report"]["published_from"] == "filename"


# --- through the CLI ----------------------------------------------------------------------------------

@needs_trafilatura
def test_extract_and_ingest_store_the_article_text(tmp_path):
    result = runner.invoke(app, ["extract", str(EN), "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout.splitlines()[0])
    text = read_report(EN).text
    assert doc["report"]["sha256"] == read_report(EN).sha256
    for fig in doc["figures"]:
        assert text[fig["evidence"]["start"]:fig["evidence"]["end"]] == fig["evidence"]["text"]

    db = tmp_path / "t.db"
    result = runner.invoke(app, ["--db", str(db), "ingest", str(EN), str(AR), str(MENU), "--jobs", "1"])
    assert result.exit_code == 1                                  # the menu-only page failed
    assert "2 new" in result.stdout and "1 failed" in result.stdout
    assert "menu-only.html: is a web page with no article text" in result.output
    conn = sqlite3.connect(db)
    stored = dict(conn.execute("SELECT path, text FROM reports").fetchall())
    conn.close()
    assert stored[str(EN)] == text and "<" not in stored[str(AR)]


@needs_trafilatura
def test_a_page_on_standard_input_is_read_as_a_page():
    result = runner.invoke(app, ["extract", "-", "--json"], input=AR.read_bytes())
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout.splitlines()[0])
    assert doc["report"]["language"] == "ar"
    assert decode(AR.read_bytes(), "-") == (read_report(AR).text, "html")


@needs_trafilatura
def test_ingest_fills_date_and_publisher_from_the_page(tmp_path):
    db = tmp_path / "t.db"
    result = runner.invoke(app, ["--db", str(db), "ingest", str(AR), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    row = conn.execute("SELECT published, published_from, publisher FROM reports").fetchone()
    conn.close()
    assert row == ("2021-07-03", "metadata", "مرصد الوادي")
