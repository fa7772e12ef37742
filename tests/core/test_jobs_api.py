"""Jobs: slow work started through the API, read back with ``GET /api/v1/jobs/{id}``."""

import pytest
from rest_framework.test import APIRequestFactory

from apps.core.api.responses import job_accepted
from apps.core.credentials import Credential
from apps.core.services import job_advance, job_create, job_fail, job_start, job_succeed
from apps.schools.tokens import tokens_issue
from tests.conftest import make_client
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


def key_credential(api_key) -> Credential:
    key = api_key[0]
    return Credential(kind="api_key", school=key.school, scopes=frozenset(["*"]), api_key=key)


def user_credential(member) -> Credential:
    return Credential(
        kind="user", school=member.school, scopes=frozenset(), user=member.user, member=member
    )


def test_get_a_job_shows_status_and_progress(api_client, school, api_key):
    # given
    job = job_create(
        school=school, kind="users.import", scope="read:users", credential=key_credential(api_key)
    )

    # when
    response = api_client.get(f"/api/v1/jobs/{job.id}")

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == job.id
    assert body["id"].startswith("job_")
    assert body["kind"] == "users.import"
    assert body["status"] == "queued"
    assert body["progress"] == {"done": 0, "total": None}
    assert body["result"] is None
    assert set(body) == {
        "id",
        "kind",
        "status",
        "progress",
        "result",
        "error",
        "created_at",
        "updated_at",
        "started_at",
        "finished_at",
    }


def test_job_life_is_visible_through_the_api(api_client, school):
    # given
    job = job_create(school=school, kind="promo.bulk", scope="read:users", total=None)
    job_start(job=job, total=10)
    job_advance(job=job, done=4)

    # when
    running = api_client.get(f"/api/v1/jobs/{job.id}").json()
    job_succeed(job=job, result={"created": 10})
    done = api_client.get(f"/api/v1/jobs/{job.id}").json()

    # then
    assert running["status"] == "running"
    assert running["progress"] == {"done": 4, "total": 10}
    assert running["started_at"] is not None
    assert done["status"] == "succeeded"
    assert done["progress"] == {"done": 10, "total": 10}
    assert done["result"] == {"created": 10}
    assert done["finished_at"] is not None


def test_failed_job_shows_its_error(api_client, school):
    # given
    job = job_create(school=school, kind="x", scope="read:users")
    job_start(job=job)
    job_fail(job=job, error="bad line 3")

    # when
    body = api_client.get(f"/api/v1/jobs/{job.id}").json()

    # then
    assert body["status"] == "failed"
    assert body["error"] == "bad line 3"


def test_job_of_another_school_is_404(api_client, other_school):
    # given
    job = job_create(school=other_school, kind="x", scope="read:users")

    # when
    response = api_client.get(f"/api/v1/jobs/{job.id}")

    # then
    assert response.status_code == 404


def test_user_token_sees_only_its_own_jobs(school, learner, api_key):
    # given
    mine = job_create(
        school=school, kind="export", scope="read:users", credential=user_credential(learner)
    )
    colleague = MemberFactory(school=school)
    theirs = job_create(
        school=school, kind="export", scope="read:users", credential=user_credential(colleague)
    )
    keys = job_create(
        school=school, kind="import", scope="read:users", credential=key_credential(api_key)
    )
    client = make_client(tokens_issue(member=learner).access_token)

    # when
    own = client.get(f"/api/v1/jobs/{mine.id}")
    others = [client.get(f"/api/v1/jobs/{job.id}") for job in (theirs, keys)]
    listed = client.get("/api/v1/jobs")

    # then
    assert own.status_code == 200
    assert [r.status_code for r in others] == [404, 404]
    assert [row["id"] for row in listed.json()["results"]] == [mine.id]


def test_api_key_sees_every_job_of_its_school_newest_first(api_client, school, learner):
    # given
    first = job_create(
        school=school, kind="a", scope="read:users", credential=user_credential(learner)
    )
    second = job_create(school=school, kind="b", scope="read:users")

    # when
    response = api_client.get("/api/v1/jobs")

    # then
    assert [row["id"] for row in response.json()["results"]] == [second.id, first.id]


def test_job_accepted_answers_202_with_the_job_url(school):
    # given
    job = job_create(school=school, kind="x", scope="read:users")
    request = APIRequestFactory().post("/api/v1/things")

    # when
    response = job_accepted(request, job)

    # then
    assert response.status_code == 202
    assert response["Location"] == f"http://testserver/api/v1/jobs/{job.id}"
    assert response.data["id"] == job.id


def test_job_created_by_records_the_credential(school, learner, api_key):
    # when
    by_user = job_create(
        school=school, kind="x", scope="read:users", credential=user_credential(learner)
    )
    by_key = job_create(
        school=school, kind="x", scope="read:users", credential=key_credential(api_key)
    )

    # then
    assert (by_user.created_by_id, by_user.created_by_key_id) == (learner.user_id, None)
    assert (by_key.created_by_id, by_key.created_by_key_id) == (None, api_key[0].id)


def test_key_sees_only_jobs_of_scopes_it_can_read(scoped_client, school):
    # given
    users_job = job_create(school=school, kind="users.import", scope="read:users")
    hooks_job = job_create(school=school, kind="webhooks.replay", scope="read:webhooks")
    client = scoped_client("read:webhooks")

    # when
    listed = client.get("/api/v1/jobs")
    hidden = client.get(f"/api/v1/jobs/{users_job.id}")

    # then
    assert [row["id"] for row in listed.json()["results"]] == [hooks_job.id]
    assert hidden.status_code == 404
