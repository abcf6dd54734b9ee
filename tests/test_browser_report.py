"""Chromium: the report and action plan pass axe, and contents links move focus."""

import io

import pytest

from home.demo.report import load_report
from tests.conftest import assert_no_axe_violations, restore_migration_data

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def wagtail_roots(transactional_db):
    """Put back what Wagtail's migrations create and an earlier transactional test's
    flush removed (root page, root collection, default locale, groups)."""
    restore_migration_data()


@pytest.fixture
def demo_report(wagtail_roots, home_page):
    load_report(home_page, io.StringIO())


def test_report_page_passes_axe(live_server, demo_report, browser_page):
    browser_page.goto(f"{live_server.url}/report/")
    assert browser_page.locator(".report-finding").count() == 8
    assert_no_axe_violations(browser_page)


def test_contents_link_moves_focus_to_its_section(live_server, demo_report, browser_page):
    browser_page.goto(f"{live_server.url}/report/")
    browser_page.locator(".report-toc a[href='#methodology']").click()
    assert browser_page.evaluate("document.activeElement.id") == "methodology"
    assert browser_page.evaluate("document.activeElement.textContent") == "Methodology"
    assert browser_page.url.endswith("/report/#methodology")

    # From the keyboard too: focus a later entry and press Enter.
    link = browser_page.locator(".report-toc a[href='#key-findings']")
    link.focus()
    browser_page.keyboard.press("Enter")
    assert browser_page.evaluate("document.activeElement.id") == "key-findings"
    # Tab then continues inside that section, not back at the top of the page.
    browser_page.keyboard.press("Tab")
    focused_in = browser_page.evaluate(
        "document.activeElement.closest('section') && "
        "document.activeElement.closest('section').getAttribute('aria-labelledby')"
    )
    assert focused_in == "key-findings"


def test_action_plan_page_passes_axe_and_filters_without_javascript(
    live_server, demo_report, browser
):
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    tab = context.new_page()
    try:
        tab.goto(f"{live_server.url}/report/action-plan/")
        tab.get_by_role("link", name="Implemented 4").click()
        assert "status=implemented" in tab.url
        assert tab.locator(".plan-item").count() == 4
    finally:
        context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    try:
        tab.goto(f"{live_server.url}/report/action-plan/")
        assert_no_axe_violations(tab)
    finally:
        context.close()
