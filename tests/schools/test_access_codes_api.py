import re
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.schools.models import AccessCode, AccessCodePool, Domain, DomainUser
from apps.schools.services.access_codes import code_create, code_redeem, pool_create
from tests.factories import AccessCodeFactory, AccessCodePoolFactory, MemberFactory

pytestmark = pytest.mark.django_db

POOLS = "/api/v1/domains/learn.alpha.test/access-code-pools"
REDEEM = "/api/v1/domains/learn.alpha.test/access-codes/redeem"


@pytest.fixture
def domain(school) -> Domain:
    return Domain.objects.create(
        school=school, name="learn.alpha.test", access=Domain.Access.PRIVATE
    )


@pytest.fixture
def pool(domain) -> AccessCodePool:
    return pool_create(domain=domain, name="Genie Codes")


@pytest.fixture
def code(pool) -> AccessCode:
    return code_create(pool=pool, code="opensesame", max_uses=3)


# --- pools -----------------------------------------------------------------------------------


def test_create_pool_matches_seed_shape(api_client, domain):
    # when
    response = api_client.post(
        POOLS,
        {"name": "example-pool", "start_date": "2016-01-29T00:22:00Z", "active": True},
        format="json",
    )

    # then
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "name": "example-pool",
        "active": True,
        "start_date": "2016-01-29T00:22:00.000000Z",
        "end_date": None,
        "expire_linked_to_domain_membership": False,
        "channel": "api",
        "code_count": 0,
    }
    assert body["id"].startswith("acp_")


def test_create_pool_with_end_before_start_is_400(api_client, domain):
    # when
    response = api_client.post(
        POOLS,
        {"name": "p", "start_date": "2030-01-02T00:00:00Z", "end_date": "2030-01-01T00:00:00Z"},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_window"
    assert not AccessCodePool.objects.exists()


def test_create_pool_without_name_is_400(api_client, domain):
    # when
    response = api_client.post(POOLS, {"active": True}, format="json")

    # then
    assert response.status_code == 400
    assert "name" in response.json()["errors"]


def test_list_pools_filters_by_name_and_counts_codes(api_client, pool, code, domain):
    # given
    pool_create(domain=domain, name="Other")

    # when
    response = api_client.get(f"{POOLS}?name=Genie Codes")

    # then
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["id"], r["code_count"]) for r in results] == [(pool.id, 1)]


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_pool_is_partial(api_client, pool, method):
    # when
    response = getattr(api_client, method)(
        f"{POOLS}/{pool.id}",
        {"active": False, "expire_linked_to_domain_membership": True},
        format="json",
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["active"] is False
    assert body["expire_linked_to_domain_membership"] is True
    assert body["name"] == "Genie Codes"


def test_pool_of_other_school_is_404(api_client, other_school):
    # given
    theirs = AccessCodePoolFactory(school=other_school)

    # when
    response = api_client.get(f"/api/v1/domains/{theirs.domain.name}/access-code-pools/{theirs.id}")

    # then
    assert response.status_code == 404


@pytest.mark.parametrize("page_size", [1, 50])
def test_list_pools_runs_constant_queries(api_client, domain, django_assert_num_queries, page_size):
    # given
    for _ in range(3):
        pool = AccessCodePoolFactory(school=domain.school, domain=domain)
        AccessCodeFactory(school=domain.school, domain=domain, access_code_pool=pool)
    api_client.get(POOLS)

    # when / then: key, domain, count, page
    with django_assert_num_queries(4):
        response = api_client.get(f"{POOLS}?page_size={page_size}")
    assert response.status_code == 200


# --- codes -----------------------------------------------------------------------------------


def test_create_code_matches_seed_shape(api_client, pool):
    # when
    response = api_client.post(
        f"{POOLS}/{pool.id}/access-codes",
        {"code": "examplecode", "max_uses": 3, "duration": 6, "duration_unit": "MONTHS"},
        format="json",
    )

    # then
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "code": "examplecode",
        "active": True,
        "max_uses": 3,
        "use_count": 0,
        "duration": 6,
        "duration_unit": "MONTHS",
        "users": [],
    }


def test_create_code_generates_one_when_left_out(api_client, pool):
    # when
    response = api_client.post(f"{POOLS}/{pool.id}/access-codes", {}, format="json")

    # then
    assert response.status_code == 201
    assert len(response.json()["code"]) == 10


def test_create_duplicate_code_is_409(api_client, pool, code):
    # when
    response = api_client.post(
        f"{POOLS}/{pool.id}/access-codes", {"code": "opensesame"}, format="json"
    )

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "code_taken"


def test_create_code_with_bad_unit_is_400(api_client, pool):
    # when
    response = api_client.post(
        f"{POOLS}/{pool.id}/access-codes", {"duration_unit": "FORTNIGHTS"}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "duration_unit" in response.json()["errors"]


@pytest.mark.parametrize("unit", ["MONTHS", "Months", "months"])
def test_duration_unit_is_taken_in_any_letter_case(api_client, pool, unit):
    # given Skilljar's examples write both MONTHS and Months

    # when
    response = api_client.post(
        f"{POOLS}/{pool.id}/access-codes", {"duration": 6, "duration_unit": unit}, format="json"
    )

    # then it is stored and answered in the canonical spelling
    assert response.status_code == 201, response.content
    assert response.json()["duration_unit"] == "MONTHS"


def test_duration_unit_schema_says_any_letter_case():
    # given
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    prop = schema["components"]["schemas"]["AccessCodeWriteRequest"]["properties"]["duration_unit"]

    # then
    assert re.fullmatch(prop["pattern"], "Months")
    assert re.fullmatch(prop["pattern"], "mOnThS")
    assert not re.fullmatch(prop["pattern"], "FORTNIGHTS")


@pytest.mark.parametrize("code", ["ab\x01cd", "ab\u202ecd", "tab\tcode"], ids=repr)
def test_create_code_with_a_control_character_is_400(api_client, pool, code):
    # when
    response = api_client.post(f"{POOLS}/{pool.id}/access-codes", {"code": code}, format="json")

    # then
    assert response.status_code == 400
    assert "code" in response.json()["errors"]


def test_list_codes_matches_seed_shape(api_client, pool, code):
    # when
    response = api_client.get(f"{POOLS}/{pool.id}/access-codes")

    # then
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": code.id,
            "code": "opensesame",
            "active": True,
            "max_uses": 3,
            "use_count": 0,
            "duration": None,
            "duration_unit": "MONTHS",
        }
    ]


def test_read_code_lists_users_who_used_it(api_client, pool, code, school, domain):
    # given
    member = MemberFactory(school=school, user__first_name="Jane", user__last_name="Doe")
    code_redeem(domain=domain, code="opensesame", member=member)

    # when
    response = api_client.get(f"{POOLS}/{pool.id}/access-codes/{code.id}")

    # then
    body = response.json()
    assert body["use_count"] == 1
    assert body["users"] == [
        {
            "id": member.user_id,
            "email": member.user.email,
            "first_name": "Jane",
            "last_name": "Doe",
        }
    ]


def test_update_code_cannot_go_below_uses(api_client, pool, code, school, domain):
    # given
    code_redeem(domain=domain, code="opensesame", member=MemberFactory(school=school))
    code_redeem(domain=domain, code="opensesame", member=MemberFactory(school=school))

    # when
    response = api_client.patch(
        f"{POOLS}/{pool.id}/access-codes/{code.id}", {"max_uses": 1}, format="json"
    )

    # then
    assert response.status_code == 400
    code.refresh_from_db()
    assert code.max_uses == 3


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_code_is_partial(api_client, pool, code, method):
    # when
    response = getattr(api_client, method)(
        f"{POOLS}/{pool.id}/access-codes/{code.id}", {"active": False}, format="json"
    )

    # then
    assert response.status_code == 200
    assert response.json()["active"] is False
    assert response.json()["max_uses"] == 3


def test_code_in_other_pool_path_is_404(api_client, domain, code):
    # given
    other_pool = pool_create(domain=domain, name="Other")

    # when
    response = api_client.get(f"{POOLS}/{other_pool.id}/access-codes/{code.id}")

    # then
    assert response.status_code == 404


@pytest.mark.parametrize("page_size", [1, 1000])
def test_list_codes_runs_constant_queries(
    api_client, pool, school, domain, django_assert_num_queries, page_size
):
    # given
    for index in range(3):
        created = code_create(pool=pool, code=f"c{index}")
        code_redeem(domain=domain, code=created.code, member=MemberFactory(school=school))
    api_client.get(f"{POOLS}/{pool.id}/access-codes")

    # when / then: key, domain, pool, count, page (the list shape carries no redeemers)
    with django_assert_num_queries(5):
        response = api_client.get(f"{POOLS}/{pool.id}/access-codes?page_size={page_size}")
    assert response.status_code == 200


# --- redemption ------------------------------------------------------------------------------


def test_redeem_admits_user_to_private_domain(api_client, code, school, domain):
    # given
    member = MemberFactory(school=school)

    # when
    response = api_client.post(
        REDEEM, {"code": "opensesame", "user_id": member.user_id}, format="json"
    )

    # then
    assert response.status_code == 201
    body = response.json()
    assert body["user"]["id"] == member.user_id
    assert body["active"] is True
    assert body["access_code"] == {
        "id": code.id,
        "code": "opensesame",
        "pool": {"id": code.access_code_pool_id, "name": "Genie Codes"},
    }
    code.refresh_from_db()
    assert code.use_count == 1


def test_redeem_twice_by_same_user_uses_code_once(api_client, code, school):
    # given
    member = MemberFactory(school=school)
    body = {"code": "opensesame", "user_id": member.user_id}
    api_client.post(REDEEM, body, format="json")

    # when
    response = api_client.post(REDEEM, body, format="json")

    # then
    assert response.status_code == 200
    code.refresh_from_db()
    assert code.use_count == 1


def test_redeem_sets_expiry_from_duration(api_client, pool, school):
    # given
    code_create(pool=pool, code="sixweeks", duration=6, duration_unit="WEEKS")
    member = MemberFactory(school=school)

    # when
    response = api_client.post(
        REDEEM, {"code": "sixweeks", "user_id": member.user_id}, format="json"
    )

    # then
    domain_user = DomainUser.objects.get(member=member)
    expected = timezone.now() + timedelta(weeks=6)
    assert abs((domain_user.expires_at - expected).total_seconds()) < 60
    assert response.json()["expires_at"] is not None


def test_redeem_linked_pool_end_caps_expiry(api_client, domain, school):
    # given
    end = timezone.now() + timedelta(days=3)
    linked = pool_create(
        domain=domain, name="Linked", end_date=end, expire_linked_to_domain_membership=True
    )
    code_create(pool=linked, code="linked", duration=1, duration_unit="YEARS")
    member = MemberFactory(school=school)

    # when
    api_client.post(REDEEM, {"code": "linked", "user_id": member.user_id}, format="json")

    # then
    assert DomainUser.objects.get(member=member).expires_at == end


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ({"code_active": False}, "code_inactive"),
        ({"pool_active": False}, "code_inactive"),
        ({"start_in_days": 1}, "code_expired"),
        ({"end_in_days": -1}, "code_expired"),
        ({"max_uses": 1, "used": 1}, "code_exhausted"),
    ],
)
def test_redeem_refusals_carry_switchable_codes(api_client, domain, school, setup, expected):
    # given
    now = timezone.now()
    pool = pool_create(
        domain=domain,
        name="p",
        active=setup.get("pool_active", True),
        start_date=now + timedelta(days=setup["start_in_days"])
        if "start_in_days" in setup
        else None,
        end_date=now + timedelta(days=setup["end_in_days"]) if "end_in_days" in setup else None,
    )
    code = code_create(
        pool=pool, code="c1", active=setup.get("code_active", True), max_uses=setup.get("max_uses")
    )
    if setup.get("used"):
        AccessCode.objects.filter(pk=code.pk).update(use_count=setup["used"])
    member = MemberFactory(school=school)

    # when
    response = api_client.post(REDEEM, {"code": "c1", "user_id": member.user_id}, format="json")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == expected
    assert not DomainUser.objects.filter(member=member).exists()


def test_redeem_unknown_code_is_400(api_client, domain, school):
    # given
    member = MemberFactory(school=school)

    # when
    response = api_client.post(REDEEM, {"code": "nope", "user_id": member.user_id}, format="json")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "code_not_found"


def test_redeem_for_other_school_user_does_not_exist(api_client, code, other_school):
    # given
    theirs = MemberFactory(school=other_school)

    # when
    response = api_client.post(
        REDEEM, {"code": "opensesame", "user_id": theirs.user_id}, format="json"
    )

    # then
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"]["user_id"][0]
    code.refresh_from_db()
    assert code.use_count == 0


def test_redeem_on_other_school_domain_is_404(api_client, other_school, school):
    # given
    theirs = AccessCodeFactory(school=other_school)
    member = MemberFactory(school=school)

    # when
    response = api_client.post(
        f"/api/v1/domains/{theirs.domain.name}/access-codes/redeem",
        {"code": theirs.code, "user_id": member.user_id},
        format="json",
    )

    # then
    assert response.status_code == 404
