import pytest
from django.test import Client


def test_health_answers_ok(client: Client) -> None:
    response = client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_home_page_extends_the_base_template_with_its_stylesheet(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert "base.html" in [template.name for template in response.templates]
    assert b"/static/css/site.css" in response.content


def test_static_files_are_served(client: Client) -> None:
    response = client.get("/static/css/site.css")

    assert response.status_code == 200
    assert b"font-family" in response.getvalue()  # reading it all closes the file


def test_admin_login_page_answers(client: Client) -> None:
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.django_db
def test_staff_reach_the_admin(admin_client: Client) -> None:
    response = admin_client.get("/admin/")

    assert response.status_code == 200
    assert b"Users" in response.content
