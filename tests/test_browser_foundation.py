"""In Chromium: navigating the site, the mobile menu by keyboard (with and without
JavaScript), the form error summary, and axe scans of the main page types."""

import io
import re

import pytest
from playwright.sync_api import expect

from home.demo.content import load_home_content
from tests.conftest import assert_no_axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def site(home_page):
    load_home_content(home_page, io.StringIO())
    return home_page


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    yield tab
    context.close()


def main_nav(tab):
    return tab.get_by_role("navigation", name="Main")


def test_home_to_a_page_through_the_main_navigation(live_server, browser_page, site):
    tab = browser_page
    tab.goto(live_server.url + "/")
    expect(tab.get_by_role("heading", level=1)).to_have_text(
        "A strong Muslim voice in the Labour Party"
    )
    main_nav(tab).get_by_role("link", name="Services for CLPs").click()
    expect(tab).to_have_url(live_server.url + "/services/")
    expect(tab.get_by_role("heading", level=1)).to_have_text("Services for CLPs")
    current = main_nav(tab).get_by_role("link", name="Services for CLPs")
    expect(current).to_have_attribute("aria-current", "page")
    # And on, through the page's own links, to the enquiry form.
    tab.get_by_role("link", name="Make an enquiry").click()
    expect(tab.get_by_role("heading", level=1)).to_have_text("Request training or a speaker")
    expect(tab.get_by_role("navigation", name="Breadcrumb")).to_contain_text("Services for CLPs")


def test_mobile_menu_opens_and_closes_by_keyboard(live_server, phone, site):
    tab = phone
    tab.goto(live_server.url + "/")
    toggle = tab.get_by_role("button", name="Menu")
    about = main_nav(tab).get_by_role("link", name="About")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(about).to_be_hidden()

    # Tab from the top of the page to the menu button.
    for _ in range(10):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.hasAttribute('data-menu-toggle')"):
            break
    else:
        pytest.fail("The menu button is not reachable with the Tab key")
    box = toggle.bounding_box()
    assert box["width"] >= 24 and box["height"] >= 24

    tab.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(about).to_be_visible()
    tab.keyboard.press("Tab")
    expect(about).to_be_focused()

    # Escape closes it and puts focus back on the button.
    tab.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    expect(about).to_be_hidden()

    # Space opens it again, and a link in it works from the keyboard.
    tab.keyboard.press("Space")
    tab.keyboard.press("Tab")
    tab.keyboard.press("Enter")
    expect(tab).to_have_url(live_server.url + "/about/")


def test_mobile_menu_works_without_javascript(live_server, browser, site):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(live_server.url + "/")
        expect(tab.get_by_role("button", name="Menu")).to_have_count(0)
        links = main_nav(tab).get_by_role("link")
        expect(links).to_have_count(4)
        for index in range(4):
            expect(links.nth(index)).to_be_visible()
        main_nav(tab).get_by_role("link", name="Contact").focus()
        tab.keyboard.press("Enter")
        expect(tab).to_have_url(live_server.url + "/contact/")
    finally:
        context.close()


def test_form_errors_are_summarised_and_focused(live_server, browser_page, site):
    tab = browser_page
    tab.goto(live_server.url + "/contact/")
    tab.get_by_label("Your name").fill("Amina Example")
    tab.get_by_role("button", name="Send").click()
    summary = tab.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(tab).to_have_title(re.compile(r"^Error: "))
    summary.get_by_role("link", name=re.compile("^Email address")).click()
    expect(tab.get_by_label("Email address")).to_be_focused()
    expect(tab.get_by_label("Your name")).to_have_value("Amina Example")
    assert_no_axe_violations(tab)


@pytest.mark.parametrize("path", ["/", "/about/", "/search/?query=islamophobia"])
def test_pages_pass_axe(live_server, browser_page, site, path):
    browser_page.goto(live_server.url + path)
    assert_no_axe_violations(browser_page)


def test_home_page_passes_axe_on_a_phone(live_server, phone, site):
    phone.goto(live_server.url + "/")
    phone.get_by_role("button", name="Menu").click()
    assert_no_axe_violations(phone)
