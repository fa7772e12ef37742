"""Cohorts: a named group of learners taking a course together, with its own space; adding a
member enrolls them in the course when needed (through the enrollments grant) and adds them
to the space, once."""

import threading

import pytest
from django.db import connection

from apps.community.models import Cohort, CohortMember, Space, SpaceMember
from apps.community.services import cohorts as cohort_services
from apps.core.models import Event
from apps.enrollments.models import Enrollment
from apps.schools.models import Member
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client
from tests.factories import (
    CohortFactory,
    CohortMemberFactory,
    CourseFactory,
    EnrollmentFactory,
    MemberFactory,
    PublishedCourseFactory,
)

URL = "/api/v1/cohorts"


def members_url(cohort: Cohort) -> str:
    return f"{URL}/{cohort.id}/members"


def _add(client, cohort: Cohort, *names: str):
    return client.post(members_url(cohort), {"users": list(names)}, format="json")


@pytest.mark.django_db
def test_cohort_is_created_with_its_private_space_linked_to_the_course(api_client, school):
    # given
    course = CourseFactory(school=school)
    body = {"name": "Spring drivers", "course_id": course.id, "start_date": "2026-03-02"}

    # when
    response = api_client.post(URL, body, format="json")

    # then
    assert response.status_code == 201, response.content
    data = response.json()
    assert {k: data[k] for k in ("name", "course_id", "start_date", "member_count")} == {
        "name": "Spring drivers",
        "course_id": course.id,
        "start_date": "2026-03-02",
        "member_count": 0,
    }
    space = Space.objects.get(pk=data["space_id"])
    assert (space.title, space.visibility, space.course_id, space.school_id) == (
        "Spring drivers",
        "private",
        course.id,
        school.id,
    )
    assert not space.is_invitation_required


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"name": ""}, "name", "invalid"),
        ({"name": "   "}, "name", "invalid"),
        ({"name": "x" * 201}, "name", "max_length"),
        ({"course_id": "crs_00000000000000000000000000"}, "course_id", "does_not_exist"),
        ({"start_date": "2026-13-45"}, "start_date", "invalid"),
        ({"start_date": "next monday"}, "start_date", "invalid"),
        ({"start_date": None}, "start_date", "invalid"),
    ],
)
def test_bad_cohort_input_is_refused_with_a_code(api_client, school, change, field, code):
    # given
    course = CourseFactory(school=school)
    body = {"name": "Spring drivers", "course_id": course.id, "start_date": "2026-03-02", **change}

    # when
    response = api_client.post(URL, body, format="json")

    # then
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code
    assert field in response.json()["errors"]
    assert not Cohort.objects.exists()
    assert not Space.objects.exists()


@pytest.mark.django_db
def test_a_course_of_another_school_is_refused_like_an_unknown_one(
    api_client, school, other_school
):
    # given
    theirs = CourseFactory(school=other_school, title="Beta secrets")
    body = {"name": "Spring drivers", "course_id": theirs.id, "start_date": "2026-03-02"}

    # when
    response = api_client.post(URL, body, format="json")

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "does_not_exist"
    assert "Beta secrets" not in response.content.decode()
    assert not Cohort.objects.exists()


@pytest.mark.django_db
def test_cohorts_are_listed_oldest_first_with_member_counts(api_client, school):
    # given
    first, second = CohortFactory(school=school), CohortFactory(school=school)
    CohortMemberFactory(school=school, cohort=second)
    CohortMemberFactory(school=school, cohort=second)

    # when
    response = api_client.get(URL)

    # then
    rows = response.json()["results"]
    assert [(row["id"], row["member_count"]) for row in rows] == [(first.id, 0), (second.id, 2)]


@pytest.mark.django_db
def test_renaming_a_cohort_renames_its_space_and_the_course_stays(api_client, school):
    # given
    cohort = CohortFactory(school=school)
    other_course = CourseFactory(school=school)

    # when
    renamed = api_client.patch(
        f"{URL}/{cohort.id}", {"name": "Autumn drivers", "start_date": "2026-09-01"}, format="json"
    )
    same_course = api_client.put(
        f"{URL}/{cohort.id}", {"course_id": cohort.course_id}, format="json"
    )
    moved = api_client.patch(f"{URL}/{cohort.id}", {"course_id": other_course.id}, format="json")

    # then
    assert renamed.status_code == 200, renamed.content
    assert (renamed.json()["name"], renamed.json()["start_date"]) == (
        "Autumn drivers",
        "2026-09-01",
    )
    assert Space.objects.get(pk=cohort.space_id).title == "Autumn drivers"
    assert same_course.status_code == 200
    assert moved.status_code == 400
    assert moved.json()["code"] == "cohort_course_fixed"
    assert Cohort.objects.get(pk=cohort.pk).course_id == cohort.course_id


@pytest.mark.django_db
def test_adding_members_enrolls_whoever_needs_it_and_adds_them_to_the_space(api_client, school):
    # given: one person already actively enrolled in the course, one not
    published = PublishedCourseFactory(school=school)
    cohort = CohortFactory(school=school, course=published.course)
    enrolled = MemberFactory(school=school)
    EnrollmentFactory(school=school, user=enrolled.user, published_course=published)
    newcomer = MemberFactory(school=school)

    # when
    response = _add(api_client, cohort, enrolled.user_id, newcomer.user.email.upper())

    # then
    assert response.status_code == 201, response.content
    assert [row["user"]["id"] for row in response.json()] == [enrolled.user_id, newcomer.user_id]
    assert Enrollment.objects.filter(course=cohort.course, user=enrolled.user).count() == 1
    made = Enrollment.objects.get(course=cohort.course, user=newcomer.user)
    assert (made.active, made.published_course_id, made.source) == (True, published.id, "cohort")
    in_space = SpaceMember.objects.filter(space=cohort.space, status="active")
    assert set(in_space.values_list("user_id", flat=True)) == {
        enrolled.user_id,
        newcomer.user_id,
    }
    events = {
        event.payload["user"]["id"]: event.payload
        for event in Event.objects.filter(school=school, type="cohort.member.added")
    }
    assert events[newcomer.user_id]["enrolled"] is True
    assert events[newcomer.user_id]["enrollment_id"] == made.id
    assert events[enrolled.user_id]["enrolled"] is False
    assert events[newcomer.user_id]["cohort"]["space_id"] == cohort.space_id
    assert Event.objects.filter(school=school, type="enrollment.created").count() == 1
    assert Event.objects.filter(school=school, type="community.member.added").count() == 2


@pytest.mark.django_db
def test_adding_twice_makes_one_member_and_one_enrollment(api_client, school):
    # given
    cohort = CohortFactory(school=school)
    person = MemberFactory(school=school)
    first = _add(api_client, cohort, person.user_id)

    # when
    again = _add(api_client, cohort, person.user_id, person.user_id)

    # then: only the newly affected members are answered
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == []
    assert CohortMember.objects.filter(cohort=cohort).count() == 1
    assert Enrollment.objects.filter(course=cohort.course, user=person.user).count() == 1
    assert Event.objects.filter(school=school, type="cohort.member.added").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("by", ["id", "email"])
def test_another_schools_user_is_refused_like_one_that_does_not_exist(
    api_client, school, other_school, by
):
    # given
    cohort = CohortFactory(school=school)
    theirs = MemberFactory(school=other_school)
    name = theirs.user_id if by == "id" else theirs.user.email
    missing = "usr_00000000000000000000000000" if by == "id" else "nobody@nowhere.test"

    # when
    foreign = _add(api_client, cohort, name)
    unknown = _add(api_client, cohort, missing)

    # then: the same refusal, naming only what was sent, and nothing written
    assert foreign.status_code == unknown.status_code == 400
    assert foreign.json()["code"] == unknown.json()["code"] == "does_not_exist"
    assert foreign.json()["detail"].replace(name, "X") == unknown.json()["detail"].replace(
        missing, "X"
    )
    assert other_school.name not in foreign.content.decode()
    assert not CohortMember.objects.exists()
    assert not Enrollment.objects.exists()


@pytest.mark.django_db
def test_the_service_refuses_another_schools_account(school, other_school):
    # given: the admin and code reach the service with accounts, not names
    cohort = CohortFactory(school=school)
    theirs = MemberFactory(school=other_school)

    # when / then
    with pytest.raises(Exception, match="no such user in this school") as refused:
        cohort_services.cohort_members_add(cohort=cohort, users=[theirs.user])
    assert refused.value.status_code == 400
    assert not CohortMember.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("users", [[], ["x"] * 101, "usr_1", [1], ["x", " "], [""]])
def test_users_list_out_of_bounds_is_refused(api_client, school, users):
    # given
    cohort = CohortFactory(school=school)

    # when
    response = api_client.post(members_url(cohort), {"users": users}, format="json")

    # then
    assert response.status_code == 400
    assert response.json()["code"]
    assert all(key.startswith("users") for key in response.json()["errors"])
    assert not CohortMember.objects.exists()


@pytest.mark.django_db
def test_a_suspended_person_is_refused_and_nobody_of_the_call_is_added(api_client, school):
    # given
    cohort = CohortFactory(school=school)
    fine = MemberFactory(school=school)
    suspended = MemberFactory(school=school, status=Member.Status.SUSPENDED)

    # when
    response = _add(api_client, cohort, fine.user_id, suspended.user_id)

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "user_suspended"
    assert not CohortMember.objects.exists()
    assert not Enrollment.objects.exists()
    assert not SpaceMember.objects.exists()


@pytest.mark.django_db
def test_removing_a_member_takes_them_out_of_the_space_and_keeps_the_enrollment(api_client, school):
    # given
    cohort = CohortFactory(school=school)
    person = MemberFactory(school=school)
    stays = MemberFactory(school=school)
    _add(api_client, cohort, person.user_id, stays.user_id)

    # when
    response = api_client.delete(f"{members_url(cohort)}/{person.user_id}")
    again = api_client.delete(f"{members_url(cohort)}/{person.user_id}")

    # then
    assert response.status_code == 204
    assert again.status_code == 404
    assert list(CohortMember.objects.values_list("user_id", flat=True)) == [stays.user_id]
    assert list(
        SpaceMember.objects.filter(space=cohort.space).values_list("user_id", flat=True)
    ) == [stays.user_id]
    assert Enrollment.objects.filter(user=person.user, active=True).count() == 1


@pytest.mark.django_db
def test_a_learner_reads_only_its_own_cohorts_and_never_writes(school, learner):
    # given
    mine, other = CohortFactory(school=school), CohortFactory(school=school)
    CohortMemberFactory(school=school, cohort=mine, user=learner.user)
    classmate = CohortMemberFactory(school=school, cohort=mine)
    client = make_client(tokens_issue(member=learner).access_token)

    # when
    listed = client.get(URL)
    own = client.get(f"{URL}/{mine.id}")
    foreign = client.get(f"{URL}/{other.id}")
    members = client.get(members_url(mine))
    foreign_members = client.get(members_url(other))
    writes = [
        client.post(URL, {"name": "Mine", "course_id": mine.course_id}, format="json"),
        client.patch(f"{URL}/{mine.id}", {"name": "Ours"}, format="json"),
        _add(client, mine, learner.user_id),
        client.delete(f"{members_url(mine)}/{learner.user_id}"),
    ]

    # then
    assert [row["id"] for row in listed.json()["results"]] == [mine.id]
    assert listed.json()["results"][0]["member_count"] == 2
    assert own.status_code == 200
    assert foreign.status_code == foreign_members.status_code == 404
    rows = {row["user"]["first_name"]: row["user"] for row in members.json()["results"]}
    assert rows[learner.user.first_name]["id"] == learner.user_id
    assert rows[classmate.user.first_name]["id"] is None
    assert rows[classmate.user.first_name]["email"] is None
    assert [w.status_code for w in writes] == [403] * 4
    assert {w.json()["code"] for w in writes} == {"missing_scope"}
    assert Cohort.objects.get(pk=mine.pk).name == mine.name
    assert CohortMember.objects.filter(cohort=mine).count() == 2


@pytest.mark.django_db
def test_another_schools_cohort_is_404_on_every_route(other_api_client, school):
    # given
    cohort = CohortFactory(school=school)
    person = CohortMemberFactory(school=school, cohort=cohort)

    # when
    responses = [
        other_api_client.get(f"{URL}/{cohort.id}"),
        other_api_client.patch(f"{URL}/{cohort.id}", {"name": "Taken"}, format="json"),
        other_api_client.get(members_url(cohort)),
        _add(other_api_client, cohort, person.user_id),
        other_api_client.delete(f"{members_url(cohort)}/{person.user_id}"),
    ]

    # then
    assert [r.status_code for r in responses] == [404] * 5
    assert other_api_client.get(URL).json()["results"] == []
    assert CohortMember.objects.filter(pk=person.pk).exists()


@pytest.mark.django_db
def test_deleting_a_cohorts_space_keeps_it_restorable(api_client, school):
    # given
    cohort = CohortFactory(school=school)

    # when
    response = api_client.delete(f"/api/v1/community/spaces/{cohort.space_id}")

    # then: soft-deleted (the cohort holds it), never removed from under the cohort
    assert response.status_code == 204
    assert Space.objects.get(pk=cohort.space_id).deleted_at is not None
    assert api_client.get(f"{URL}/{cohort.id}").status_code == 200


COPIES = 6


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_identical_concurrent_adds_make_one_member_and_one_enrollment(api_key):
    # given: one cohort, one person, six identical requests released together
    school = api_key[0].school
    cohort = CohortFactory(school=school)
    person = MemberFactory(school=school)
    barrier = threading.Barrier(COPIES)
    responses = []

    def send() -> None:
        try:
            barrier.wait(timeout=10)
            responses.append(_add(make_client(api_key[1]), cohort, person.user_id))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(COPIES)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then: one call added them, the others found them in already
    codes = sorted(response.status_code for response in responses)
    assert codes == [200] * (COPIES - 1) + [201], [r.content for r in responses]
    assert CohortMember.objects.filter(cohort=cohort, user=person.user).count() == 1
    assert Enrollment.objects.filter(course=cohort.course, user=person.user).count() == 1
    assert SpaceMember.objects.filter(space=cohort.space, user=person.user).count() == 1
    assert Event.objects.filter(school=school, type="cohort.member.added").count() == 1
