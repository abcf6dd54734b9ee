"""Set-up: production settings fail fast, the deploy check is clean, demo content is idempotent."""

import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

from wagtail.models import Page, Site

import pytest

from home.models import HomePage, SiteSettings

PROJECT = Path(__file__).resolve().parents[3]


def run_with_production_settings(args, **env_overrides):
    """Run `python <args>` in a fresh process with production settings and only
    the given secrets (so the test's own settings cannot leak in)."""
    # DJANGO_ALLOW_ASYNC_UNSAFE is the browser tests' switch, never production's.
    unwanted = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env["DJANGO_SETTINGS_MODULE"] = "lmn_cms.settings.production"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


IMPORT_SETTINGS = ["-c", "import django; django.setup(); print('started')"]


def test_production_refuses_to_start_without_a_secret_key():
    result = run_with_production_settings(IMPORT_SETTINGS, ALLOWED_HOSTS="www.example.org")
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_with_production_settings(IMPORT_SETTINGS, SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode != 0
    assert "ImproperlyConfigured: ALLOWED_HOSTS is not set" in result.stderr


def test_production_starts_when_both_are_set():
    result = run_with_production_settings(
        IMPORT_SETTINGS, SECRET_KEY=secrets.token_urlsafe(60), ALLOWED_HOSTS="www.example.org"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"


def test_deploy_check_is_clean_with_production_environment():
    result = run_with_production_settings(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="www.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


@pytest.mark.django_db
def test_load_demo_twice_leaves_the_same_pages():
    call_command("load_demo", stdout=io.StringIO())
    first = sorted(Page.objects.values_list("url_path", flat=True))
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert sorted(Page.objects.values_list("url_path", flat=True)) == first
    assert "Created" not in out.getvalue()
    assert len(first) >= 9  # root, home and the home app's seven pages at least


@pytest.mark.django_db
def test_load_demo_reset_rebuilds_a_complete_site():
    call_command("load_demo", stdout=io.StringIO())
    before = sorted(Page.objects.values_list("url_path", flat=True))
    Page.objects.get(url_path="/home/about/").specific.delete()
    call_command("load_demo", "--reset", stdout=io.StringIO())
    assert sorted(Page.objects.values_list("url_path", flat=True)) == before

    home = HomePage.objects.get()
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    settings = SiteSettings.load()
    assert settings.privacy_page.url_path == "/home/privacy-notice/"
    assert settings.accessibility_page.url_path == "/home/accessibility-statement/"
    assert settings.contact_page.url_path == "/home/contact/"
    assert home.hero_image is not None and home.featured_heading
    menu = [p.slug for p in home.get_children().live().in_menu()]
    # The network's order: About first; the hub, services and contact last.
    assert menu[0] == "about"
    assert menu[-3:] == ["islamophobia-hub", "services", "contact"]
    assert "privacy-notice" not in menu
