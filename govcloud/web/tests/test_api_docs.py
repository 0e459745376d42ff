"""The API's schema and documentation: for signed-in users outside development, in Chinese, with a way
back to the product (issue 16 §4 — both were public and the docs page a dead end)."""

from __future__ import annotations

from django.urls import reverse

from govcloud.core.roles import Role
from tests.factories import api_token_for


def test_schema_and_docs_are_not_public(client, db):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code in (401, 403)
    assert schema["Content-Type"].endswith("json") and "detail" in schema.json()
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 302
    assert docs["Location"].startswith(reverse("organizations:login")) and "next=/api/v1/docs/" in docs["Location"]


def test_signed_in_users_read_the_docs_with_a_way_back(client, city):
    client.force_login(city.user(Role.DEPARTMENT_APPLICANT))
    docs = client.get(reverse("api-docs"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert f'href="{reverse("web:home")}"' in html and "返回政务云平台" in html


def test_a_token_reads_the_schema_whose_description_is_chinese(client, city):
    token = api_token_for(city.user(Role.DEPARTMENT_APPLICANT))
    response = client.get(
        reverse("api-schema"),
        HTTP_ACCEPT="application/vnd.oai.openapi+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    assert "以个人访问令牌认证" in response.json()["info"]["description"]
