import pytest

from apps.schools.models import Domain, DomainUser, GroupMembership, SignupField, SignupFieldValue
from apps.schools.services.domains import domain_user_create
from apps.schools.services.groups import group_create
from apps.schools.services.signup_fields import signup_values_set
from tests.factories import DomainUserFactory, SignupFieldFactory, SignupFieldOptionFactory

pytestmark = pytest.mark.django_db

BASE = "/api/v1/domains/learn.alpha.test"


@pytest.fixture
def domain(school) -> Domain:
    return Domain.objects.create(school=school, name="learn.alpha.test")


@pytest.fixture
def domain_user(domain) -> DomainUser:
    return domain_user_create(domain=domain, email="joe@example.com")[0]


@pytest.fixture
def job_title(school, domain) -> SignupField:
    return SignupField.objects.create(school=school, domain=domain, label="Job Title", position=1)


@pytest.fixture
def team(school, domain) -> SignupField:
    field = SignupField.objects.create(
        school=school, domain=domain, label="Team", type=SignupField.Type.SELECT, position=2
    )
    for index, label in enumerate(["Red", "Blue"]):
        field.options.create(school=school, label=label, position=index)
    return field


def _users_url(domain_user: DomainUser) -> str:
    return f"{BASE}/users/{domain_user.user_id}"


def test_list_signup_fields_of_domain(api_client, job_title, team):
    # when
    response = api_client.get(f"{BASE}/signup-fields")

    # then
    assert response.status_code == 200
    red, blue = team.options.order_by("position")
    assert response.json()["results"] == [
        {
            "id": job_title.id,
            "label": "Job Title",
            "type": "text",
            "required": False,
            "options": [],
        },
        {
            "id": team.id,
            "label": "Team",
            "type": "select",
            "required": False,
            "options": [{"id": red.id, "label": "Red"}, {"id": blue.id, "label": "Blue"}],
        },
    ]


def test_signup_fields_of_other_school_domain_is_404(api_client, other_school):
    # given
    theirs = SignupFieldFactory(school=other_school)

    # when
    response = api_client.get(f"/api/v1/domains/{theirs.domain.name}/signup-fields")

    # then
    assert response.status_code == 404


@pytest.mark.parametrize("page_size", [1, 100])
def test_list_signup_fields_runs_constant_queries(
    api_client, domain, school, django_assert_num_queries, page_size
):
    # given
    for _ in range(3):
        SignupFieldOptionFactory(school=school, field__domain=domain)
    api_client.get(f"{BASE}/signup-fields")

    # when / then: key, domain, count, page, options
    with django_assert_num_queries(5):
        api_client.get(f"{BASE}/signup-fields?page_size={page_size}")


def test_create_then_update_a_value(api_client, domain_user, job_title):
    # when
    created = api_client.post(
        f"{_users_url(domain_user)}/signup-fields",
        {"signup_field": {"id": job_title.id}, "value": "CTO"},
        format="json",
    )
    updated = api_client.post(
        f"{_users_url(domain_user)}/signup-fields",
        {"signup_field": {"id": job_title.id}, "value": "CEO"},
        format="json",
    )
    listed = api_client.get(f"{_users_url(domain_user)}/signup-fields")

    # then
    assert created.status_code == 201
    assert updated.status_code == 200
    assert listed.json()["results"] == [
        {"signup_field": {"id": job_title.id, "label": "Job Title"}, "value": "CEO"}
    ]
    assert SignupFieldValue.objects.count() == 1


def test_create_value_for_unknown_field_names_it(api_client, domain_user):
    # when
    response = api_client.post(
        f"{_users_url(domain_user)}/signup-fields",
        {"signup_field": {"id": "suf_nope"}, "value": "x"},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "suf_nope" in response.json()["detail"]


def test_create_value_for_field_of_another_domain_is_400(api_client, domain_user, school):
    # given
    elsewhere = SignupFieldFactory(school=school)

    # when
    response = api_client.post(
        f"{_users_url(domain_user)}/signup-fields",
        {"signup_field": {"id": elsewhere.id}, "value": "x"},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "signup_field_not_found"
    assert elsewhere.id in response.json()["detail"]


def test_select_value_must_be_an_option(api_client, domain_user, team):
    # when
    response = api_client.post(
        f"{_users_url(domain_user)}/signup-fields",
        {"signup_field": {"id": team.id}, "value": "Green"},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "signup_value_invalid"


def test_values_of_user_not_on_domain_is_404(api_client, domain, learner, job_title):
    # when
    response = api_client.get(f"{BASE}/users/{learner.user_id}/signup-fields")

    # then
    assert response.status_code == 404


def test_values_of_other_school_user_is_404(api_client, other_school):
    # given
    theirs = DomainUserFactory(school=other_school)

    # when
    response = api_client.get(
        f"/api/v1/domains/{theirs.domain.name}/users/{theirs.user_id}/signup-fields"
    )

    # then
    assert response.status_code == 404


def test_bulk_returns_201_location_and_only_changed_values(
    api_client, domain_user, job_title, team
):
    # given
    signup_values_set(domain_user=domain_user, values={job_title.id: "CEO"})

    # when
    response = api_client.post(
        f"{_users_url(domain_user)}/signup-fields-bulk",
        {
            "signup_fields": [
                {"id": job_title.id, "value": "CEO"},
                {"id": team.id, "value": "Red"},
            ]
        },
        format="json",
    )

    # then
    assert response.status_code == 201
    assert response["Location"].endswith(f"{_users_url(domain_user)}/signup-fields")
    assert response.json() == {
        "signup_fields": [{"signup_field": {"id": team.id, "label": "Team"}, "value": "Red"}]
    }


def test_bulk_with_unknown_id_writes_nothing(api_client, domain_user, job_title):
    # when
    response = api_client.post(
        f"{_users_url(domain_user)}/signup-fields-bulk",
        {"signup_fields": [{"id": job_title.id, "value": "CEO"}, {"id": "suf_x", "value": "1"}]},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "suf_x" in response.json()["detail"]
    assert not SignupFieldValue.objects.exists()


def test_bulk_with_other_school_field_id_is_400(api_client, domain_user, other_school):
    # given
    theirs = SignupFieldFactory(school=other_school)

    # when
    response = api_client.post(
        f"{_users_url(domain_user)}/signup-fields-bulk",
        {"signup_fields": [{"id": theirs.id, "value": "x"}]},
        format="json",
    )

    # then
    assert response.status_code == 400
    assert "does not exist" in response.json()["detail"]


def test_saving_matching_values_joins_enforced_group(api_client, domain_user, school, team):
    # given
    red = team.options.get(label="Red")
    enforced = group_create(school=school, name="Reds", rule_enforce=True, rule_options=[red])
    group_create(school=school, name="Lax", rule_enforce=False, rule_options=[red])

    # when
    api_client.post(
        f"{_users_url(domain_user)}/signup-fields-bulk",
        {"signup_fields": [{"id": team.id, "value": "red"}]},
        format="json",
    )

    # then
    groups = GroupMembership.objects.filter(member=domain_user.member)
    assert [m.group_id for m in groups] == [enforced.id]


def test_match_all_rule_needs_every_option(domain_user, school, team, job_title):
    # given
    first = SignupField.objects.create(
        school=school, domain=domain_user.domain, label="Level", type="select", position=3
    )
    senior = first.options.create(school=school, label="Senior")
    red = team.options.get(label="Red")
    group = group_create(
        school=school,
        name="Senior reds",
        rule_enforce=True,
        rule_require_match_all=True,
        rule_options=[red, senior],
    )

    # when
    signup_values_set(domain_user=domain_user, values={team.id: "Red"})
    after_one = GroupMembership.objects.filter(group=group).count()
    signup_values_set(domain_user=domain_user, values={first.id: "Senior"})

    # then
    assert after_one == 0
    assert GroupMembership.objects.filter(group=group, member=domain_user.member).count() == 1


def test_checkbox_values_are_normalised(domain_user, school):
    # given
    field = SignupField.objects.create(
        school=school, domain=domain_user.domain, label="Agree", type="checkbox"
    )

    # when
    rows = signup_values_set(domain_user=domain_user, values={field.id: "Yes"})

    # then
    assert rows[0].value == "true"


def test_user_token_reading_another_users_values_is_404(user_client, domain_user, job_title):
    # given
    signup_values_set(domain_user=domain_user, values={job_title: "CTO"})

    # when
    response = user_client.get(f"{_users_url(domain_user)}/signup-fields")

    # then
    assert response.status_code == 404, response.content
