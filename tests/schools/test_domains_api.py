import pytest

from apps.schools.models import Domain

pytestmark = pytest.mark.django_db


@pytest.fixture
def domain(school) -> Domain:
    return Domain.objects.create(school=school, name="learn.alpha.test", catalog_title="All")


@pytest.fixture
def other_domain(other_school) -> Domain:
    return Domain.objects.create(school=other_school, name="learn.beta.test")


def test_list_domains_matches_seed_shape(api_client, domain, other_domain):
    # when
    response = api_client.get("/api/v1/domains")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert body["results"] == [
        {
            "id": domain.id,
            "name": "learn.alpha.test",
            "catalog_title": "All",
            "access": "PUBLIC",
            "access_code_message_html": "",
            "marketing_message": "",
        }
    ]


def test_get_domain_by_name_adds_private(api_client, domain):
    # when
    response = api_client.get("/api/v1/domains/learn.alpha.test")

    # then
    assert response.status_code == 200
    assert response.json() == {
        "id": domain.id,
        "name": "learn.alpha.test",
        "catalog_title": "All",
        "private": False,
        "access": "PUBLIC",
        "access_code_message_html": "",
        "marketing_message": "",
    }


def test_get_domain_of_other_school_is_404(api_client, other_domain):
    # when
    response = api_client.get("/api/v1/domains/learn.beta.test/")

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_domain_is_partial(api_client, domain, method):
    # when
    response = getattr(api_client, method)(
        "/api/v1/domains/learn.alpha.test",
        {"access": "PRIVATE", "marketing_message": "Join us"},
        format="json",
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["access"] == "PRIVATE"
    assert body["private"] is True
    assert body["marketing_message"] == "Join us"
    assert body["catalog_title"] == "All"
    domain.refresh_from_db()
    assert domain.access == Domain.Access.PRIVATE


def test_update_domain_with_bad_access_is_400(api_client, domain):
    # when
    response = api_client.patch(
        "/api/v1/domains/learn.alpha.test", {"access": "SECRET"}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "access" in response.json()["errors"]
    domain.refresh_from_db()
    assert domain.access == Domain.Access.PUBLIC


def test_update_domain_of_other_school_is_404(api_client, other_domain):
    # when
    response = api_client.patch(
        "/api/v1/domains/learn.beta.test", {"access": "PRIVATE"}, format="json"
    )

    # then
    assert response.status_code == 404
    other_domain.refresh_from_db()
    assert other_domain.access == Domain.Access.PUBLIC


def test_update_domain_needs_write_scope(scoped_client, domain):
    # given
    client = scoped_client("read:users")

    # when
    response = client.patch("/api/v1/domains/learn.alpha.test", {"access": "PRIVATE"})

    # then
    assert response.status_code == 403


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_domains_runs_constant_queries(
    api_client, school, django_assert_num_queries, page_size
):
    # given
    for index in range(5):
        Domain.objects.create(school=school, name=f"d{index}.alpha.test")

    # when / then: key lookup, key last_used_at, count, page
    with django_assert_num_queries(4):
        response = api_client.get(f"/api/v1/domains?page_size={page_size}")
    assert response.status_code == 200
