import pytest

pytestmark = pytest.mark.django_db


def test_home_page_renders(client, home_page):
    response = client.get("/")
    assert response.status_code == 200
    assert home_page.hero_heading in response.content.decode()
