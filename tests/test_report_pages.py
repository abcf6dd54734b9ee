"""The report page: page rules, rendering, findings, contents, download, demo content."""

import io

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.defaultfilters import filesizeformat

import pytest
from bs4 import BeautifulSoup

from home.demo.report import FINDINGS, RECOMMENDATIONS, load_report
from home.models import HomePage, StandardPage
from home.report.models import ActionPlanPage, Recommendation, ReportPage, ReportRelatedPage
from home.report.progress import IMPLEMENTED
from tests.report_factories import make_pdf, make_plan, make_report

pytestmark = pytest.mark.django_db


def soup_of(response):
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.content, "html.parser")


def test_report_goes_under_the_home_page_only(home_page):
    assert ReportPage.can_create_at(home_page)
    assert "home.ReportPage" in [
        f"{m._meta.app_label}.{m.__name__}" for m in HomePage.allowed_subpage_models()
    ]
    standard = StandardPage(title="About", slug="about")
    home_page.add_child(instance=standard)
    assert not ReportPage.can_create_at(standard)


def test_action_plan_goes_under_a_report_once_and_has_no_children(home_page):
    report = make_report(home_page)
    assert not ActionPlanPage.can_create_at(home_page)
    assert ActionPlanPage.can_create_at(report)
    plan = make_plan(report, ["implemented"])
    assert not ActionPlanPage.can_create_at(report)
    assert ReportPage.allowed_subpage_models() == [ActionPlanPage]
    assert ActionPlanPage.allowed_subpage_models() == []
    assert not StandardPage.can_create_at(plan)


def test_report_shows_title_date_and_credits(client, home_page):
    make_report(
        home_page,
        title="The report title",
        authors="The research unit",
        foreword_credit="Foreword by A. Member MP",
        summary="<p>The short summary.</p>",
    )
    soup = soup_of(client.get("/report/"))
    assert soup.h1.get_text(strip=True) == "The report title"
    assert soup.find("time", datetime="2020-11-14").get_text() == "14 November 2020"
    text = soup.get_text(" ")
    assert "The research unit" in text
    assert "Foreword by A. Member MP" in text
    assert "The short summary." in text


def test_each_finding_shows_figure_label_and_source_in_text_and_in_the_chart(client, home_page):
    make_report(home_page)
    soup = soup_of(client.get("/report/"))
    findings = soup.select(".report-finding")
    assert len(findings) == 2

    first, second = findings
    assert first.select_one(".report-finding__figure").get_text() == "29%"
    assert "had experienced it" in first.get_text()
    assert "Source: Survey A" in first.get_text(" ", strip=True)
    assert first.select_one(".report-bar__value")["width"] == "29"

    assert second.select_one(".report-finding__figure").get_text() == "37.5%"
    assert second.select_one(".report-bar__value")["width"] == "37.5"
    assert second.find("a", href="https://example.org/b").get_text() == "Survey B"
    # The bar is decoration: the text above carries the number for everyone.
    assert second.select_one("svg")["aria-hidden"] == "true"


def test_each_finding_has_a_stable_anchor_and_share_links(client, home_page):
    make_report(home_page)
    soup = soup_of(client.get("/report/"))
    first = soup.select(".report-finding")[0]
    assert first["id"] == "finding-had-experienced-it"
    assert first.find("a", href="#finding-had-experienced-it")
    share = first.find("a", href=lambda href: href and href.startswith("https://x.com/intent/post"))
    assert "finding-had-experienced-it" in share["href"]
    # Rendering again gives the same id: links shared yesterday still work.
    again = soup_of(client.get("/report/")).select(".report-finding")[0]
    assert again["id"] == first["id"]


def test_contents_links_match_heading_ids_one_to_one(client, home_page):
    make_report(home_page, summary="<p>Summary.</p>", pdf_document=make_pdf())
    soup = soup_of(client.get("/report/"))
    links = [a["href"] for a in soup.select(".report-toc a")]
    assert links, "the report has a table of contents"
    for href in links:
        assert href.startswith("#")
        targets = soup.find_all(id=href[1:])
        assert len(targets) == 1, href
        assert targets[0].name in {"h2", "h3"}, href
        assert targets[0]["tabindex"] == "-1", href
    all_ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(all_ids) == len(set(all_ids)), "ids on the page are unique"


def test_duplicate_and_reserved_headings_get_distinct_anchors(client, home_page):
    make_report(home_page)
    soup = soup_of(client.get("/report/"))
    body = soup.select_one("#report-body")
    ids = [(tag.name, tag["id"], tag.get_text()) for tag in body.find_all(["h2", "h3"])]
    assert ids == [
        ("h2", "methodology", "Methodology"),
        ("h3", "sample", "Sample"),
        ("h2", "methodology-2", "Methodology"),
        ("h2", "key-findings-2", "Key findings"),
    ]
    toc = soup.select_one(".report-toc")
    nested = toc.find("a", href="#methodology").find_parent("li").find("ol").find_all("a")
    assert [a["href"] for a in nested] == ["#sample"]


def test_pdf_link_shows_type_and_size_and_downloads_the_file(client, home_page):
    document = make_pdf()
    make_report(home_page, pdf_document=document)
    soup = soup_of(client.get("/report/"))
    link = soup.select_one(".report-download a")
    text = link.get_text(" ", strip=True)
    assert "PDF" in text
    document.file.open()
    assert filesizeformat(document.file.size).replace("\xa0", " ") in text.replace("\xa0", " ")

    download = client.get(link["href"])
    assert download.status_code == 200
    body = b"".join(download.streaming_content) if download.streaming else download.content
    assert body.startswith(b"%PDF")
    assert len(body) == document.file.size


def test_suggested_citation_is_built_from_title_year_and_url(client, home_page):
    make_report(home_page, title="Title of it")
    soup = soup_of(client.get("/report/"))
    citation = soup.select_one(".report-citation__text").get_text()
    assert "(2020) Title of it." in citation
    assert citation.rstrip().endswith("/report/")


def test_editor_citation_replaces_the_built_one(client, home_page):
    make_report(home_page, citation="Cite it like this.")
    soup = soup_of(client.get("/report/"))
    assert soup.select_one(".report-citation__text").get_text() == "Cite it like this."


def test_related_pages_list_only_live_public_pages_in_editor_order(client, home_page):
    live = StandardPage(title="Live related page", slug="live")
    home_page.add_child(instance=live)
    draft = StandardPage(title="Draft related page", slug="draft", live=False)
    home_page.add_child(instance=draft)
    report = make_report(home_page)
    report.related_pages.add(ReportRelatedPage(page=draft, sort_order=0))
    report.related_pages.add(ReportRelatedPage(page=live, sort_order=1))
    report.save_revision().publish()
    soup = soup_of(client.get("/report/"))
    related = soup.select_one(".report-related").get_text()
    assert "Live related page" in related
    assert "Draft related page" not in related


def test_report_links_to_its_action_plan(client, home_page):
    report = make_report(home_page)
    make_plan(report, ["implemented"])
    soup = soup_of(client.get("/report/"))
    assert soup.find("a", href="/report/action-plan/")
    feed = soup.find("link", type="application/rss+xml")
    assert feed["href"] == "/report/action-plan/feed/"


def test_report_has_print_styles(client, home_page):
    make_report(home_page)
    soup = soup_of(client.get("/report/"))
    stylesheet = soup.find("link", href=lambda href: href and href.endswith("home/report.css"))
    path = finders.find(stylesheet["href"].removeprefix(settings.STATIC_URL))
    with open(path, encoding="utf-8") as css:
        content = css.read()
    assert "@media print" in content
    # Bars are drawn in SVG, which browsers print (CSS backgrounds they often drop).
    assert ".report-bar__value" in content.split("@media print", 1)[1]


def test_demo_report_uses_the_content_brief_and_is_idempotent(client, home_page):
    load_report(home_page, io.StringIO())
    load_report(home_page, io.StringIO())
    assert ReportPage.objects.count() == 1
    assert ActionPlanPage.objects.count() == 1
    assert Recommendation.objects.count() == 12

    soup = soup_of(client.get("/report/"))
    text = soup.get_text(" ")
    assert "Islamophobia and the Muslim Experience: The Labour Party Report" in text
    assert "14 November 2020" in text
    assert "Afzal Khan MP" in text
    assert "422" in text
    figures = [tag.get_text() for tag in soup.select(".report-finding__figure")]
    assert figures == [f"{figure}%" for figure, _ in FINDINGS]
    assert len(soup.select(".report-finding__source")) == 8
    assert soup.select_one(".report-download a")

    plan = soup_of(client.get("/report/action-plan/"))
    assert "example text" in plan.select_one(".plan-example").get_text().lower()
    assert len(plan.select(".plan-item .example-label")) == 12
    implemented = sum(1 for rec in RECOMMENDATIONS if rec[3] == IMPLEMENTED)
    expected = f"{implemented} of {len(RECOMMENDATIONS)}"
    assert expected in plan.select_one(".plan-summary__text").get_text()
