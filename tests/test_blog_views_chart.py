"""The editors' chart of daily views: the numbers behind it and the admin panel."""

import datetime

import pytest

from blog import charts
from blog.factories import BlogIndexPageFactory, make_post
from blog.models import PostViewDay
from home.abuse.visitor import today


def test_daily_series_fills_missing_days_with_zero():
    end = datetime.date(2026, 11, 26)
    series = charts.daily_series({datetime.date(2026, 11, 25): 4}, end, days=3)
    assert series == [
        (datetime.date(2026, 11, 24), 0),
        (datetime.date(2026, 11, 25), 4),
        (datetime.date(2026, 11, 26), 0),
    ]


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (51, 100)])
def test_scale_rounds_up_to_a_round_number(value, top):
    assert charts.nice_ceiling(value) == top


def test_bars_scale_to_the_tallest_day():
    series = [(datetime.date(2026, 1, 1), 5), (datetime.date(2026, 1, 2), 10)]
    bars, top = charts.bars(series, width=200, height=100)
    assert top == 10
    assert [bar.height for bar in bars] == [50.0, 100.0]
    assert [bar.y for bar in bars] == [50.0, 0.0]
    assert bars[1].x > bars[0].x


def test_summary_names_total_and_busiest_day():
    series = [(datetime.date(2026, 1, 1), 5), (datetime.date(2026, 1, 2), 10)]
    assert charts.summary(series) == (
        "15 views in the 2 days from 1 January 2026 to 2 January 2026; "
        "the busiest day was 2 January 2026 with 10 views."
    )


@pytest.mark.django_db
def test_post_edit_view_shows_the_chart_with_a_text_alternative(
    client, home_page, django_user_model
):
    post = make_post(BlogIndexPageFactory(parent=home_page), "Charted post")
    day = today()
    PostViewDay.objects.create(post=post, day=day - datetime.timedelta(days=2), views=7)
    PostViewDay.objects.create(post=post, day=day, views=3)
    PostViewDay.objects.create(post=post, day=day - datetime.timedelta(days=120), views=99)
    editor = django_user_model.objects.create_superuser("ed", "e@example.org", "pw-12345")
    client.force_login(editor)
    response = client.get(f"/admin/pages/{post.pk}/edit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and 'role="img"' in html
    assert "Daily views over the last 90 days" in html
    # Bars for every one of the 90 days; the 120-day-old total is outside the window.
    assert html.count('fill="#2e6b5e"') == 90
    assert "10 views in the 90 days" in html
    assert f"<td>{(day - datetime.timedelta(days=2)):%a} " in html
    assert "<table" in html and "Daily views as a table" in html
