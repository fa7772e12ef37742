"""Certificates: issued on completion from the course's template (once), listed and read in
LearnFlow's shape, revoked and reissued, verified publicly, rendered as PDF/PNG/SVG."""

import io
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from PIL import Image

from apps.core.errors import Conflict, InvalidInput
from apps.core.events import dispatch_event, emit
from apps.core.models import Event
from apps.enrollments.certificate_links import download_urls
from apps.enrollments.models import Certificate
from apps.enrollments.services.certificates import (
    certificate_issue,
    certificate_revoke,
    certificate_template_save,
)
from tests.factories import (
    CertificateFactory,
    CertificateTemplateFactory,
    CourseFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/certificates"
LEARNFLOW_FIELDS = {
    "id",
    "user_id",
    "user_name",
    "course_id",
    "course_title",
    "issued_at",
    "certificate_url",
    "verification_url",
    "credential_id",
    "download_urls",
}


@pytest.fixture
def template(school):
    return CertificateTemplateFactory(
        school=school,
        course=CourseFactory(school=school, title="Forklift Safety"),
        body="{user_name} completed {course_title} on {issued_date} ({credential_id}).",
    )


@pytest.fixture
def person(school):
    return MemberFactory(school=school, user__first_name="Ada", user__last_name="Lovelace").user


def _completed(
    school, user, course, *, completed_at="2026-02-28T18:00:00.000000Z", success="PASSED"
) -> Event:
    """The completion event as the progress service emits it (``course_completed_payload``)."""
    return emit(
        school,
        "enrollment.completed",
        {
            "id": "cpg_01jd8x4k2m7q9r3t5v6w8y0z1s",
            "user": {"id": user.id, "email": user.email, "first_name": "", "last_name": ""},
            "course": {"id": course.id, "title": course.title},
            "completed_at": completed_at,
            "success_status": success,
            "enrollment_ids": [],
        },
    )


@pytest.fixture
def completion_registered(register_event_types):
    """``enrollment.completed`` is registered by the progress work; until then, here."""
    from apps.core.event_types import get

    if get("enrollment.completed") is None:
        register_event_types("enrollment.completed")


def test_a_completion_event_issues_one_certificate_from_the_template(
    school, template, person, completion_registered
):
    # given
    event = _completed(school, person, template.course)

    # when: handed over, then handed over again (the outbox may redeliver)
    dispatch_event(event.id)
    Event.objects.filter(id=event.id).update(dispatched_at=None)
    dispatch_event(event.id)

    # then
    certificate = Certificate.objects.get()
    assert certificate.user == person
    assert certificate.issued_at.isoformat() == "2026-02-28T18:00:00+00:00"
    assert certificate.user_name == "Ada Lovelace"
    assert certificate.body == (
        f"Ada Lovelace completed Forklift Safety on 2026-02-28 ({certificate.credential_id})."
    )
    issued = Event.objects.filter(type="certificate.issued")
    assert [e.payload["id"] for e in issued] == [certificate.id]


def test_a_second_completion_issues_nothing_while_a_certificate_is_valid(
    school, template, person, completion_registered
):
    # given
    dispatch_event(_completed(school, person, template.course).id)

    # when
    dispatch_event(_completed(school, person, template.course).id)

    # then
    assert Certificate.objects.count() == 1


def test_a_completion_marked_failed_issues_no_certificate(
    school, template, person, completion_registered
):
    # when
    dispatch_event(_completed(school, person, template.course, success="FAILED").id)

    # then
    assert not Certificate.objects.exists()


def test_a_course_without_template_issues_no_certificate(school, person, completion_registered):
    # given
    course = CourseFactory(school=school)

    # when
    dispatch_event(_completed(school, person, course).id)

    # then
    assert not Certificate.objects.exists()
    with pytest.raises(Conflict) as refused:
        certificate_issue(user=person, course=course)
    assert refused.value.code == "certificate_template_missing"


def test_the_service_is_idempotent_and_refuses_another_schools_person(
    school, other_school, template, person
):
    # when
    first, created = certificate_issue(user=person, course=template.course)
    again, created_again = certificate_issue(user=person, course=template.course)

    # then
    assert (created, created_again) == (True, False)
    assert again == first
    stranger = MemberFactory(school=other_school).user
    with pytest.raises(InvalidInput) as refused:
        certificate_issue(user=stranger, course=template.course)
    assert refused.value.code == "user_not_in_course_school"


def test_a_template_with_an_unknown_placeholder_is_refused(school):
    # when / then
    with pytest.raises(InvalidInput) as refused:
        certificate_template_save(
            course=CourseFactory(school=school), title="T", body="Hi {user_name.__class__}"
        )
    assert refused.value.code == "certificate_placeholder_unknown"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_give_one_valid_certificate(school, template, person):
    # given
    assert connection.vendor == "postgresql"
    barrier = threading.Barrier(6)
    created: list[bool] = []

    def issue() -> None:
        try:
            barrier.wait(timeout=10)
            created.append(certificate_issue(user=person, course=template.course)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(6)]

    # when
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then
    assert sorted(created) == [False] * 5 + [True]
    assert Certificate.objects.filter(revoked_at__isnull=True).count() == 1


def test_list_answers_learnflows_fields_and_filters(api_client, school, template, person):
    # given
    mine, _ = certificate_issue(user=person, course=template.course)
    old = CertificateFactory(school=school, issued_at=timezone.now() - timedelta(days=40))

    # when
    everything = api_client.get(URL).json()["results"]
    by_user = api_client.get(URL, {"user_id": person.id}).json()["results"]
    by_course = api_client.get(URL, {"course_id": old.course_id}).json()["results"]
    day = (timezone.now() - timedelta(days=1)).date().isoformat()
    recent = api_client.get(URL, {"issued_after": day}).json()["results"]
    bad = api_client.get(URL, {"issued_after": "yesterday"})

    # then
    assert LEARNFLOW_FIELDS <= set(everything[0])
    assert [row["id"] for row in by_user] == [mine.id]
    assert [row["id"] for row in by_course] == [old.id]
    assert [row["id"] for row in recent] == [mine.id]
    assert bad.status_code == 400
    row = by_user[0]
    assert row["user_name"] == "Ada Lovelace"
    assert row["course_title"] == "Forklift Safety"
    assert row["verification_url"].endswith(f"/verify/{mine.id}")
    assert row["certificate_url"].endswith(f"/api/v1/certificates/{mine.id}")
    assert set(row["download_urls"]) == {"pdf", "png", "svg"}
    assert row["status"] == "valid"


def test_a_learner_token_lists_only_its_own(user_client, learner, school, template):
    # given
    mine, _ = certificate_issue(user=learner.user, course=template.course)
    CertificateFactory(school=school)

    # when
    response = user_client.get(URL)
    revoke = user_client.delete(f"{URL}/{mine.id}")

    # then
    assert [row["id"] for row in response.json()["results"]] == [mine.id]
    assert revoke.status_code == 403


def test_delete_revokes_and_keeps_the_certificate_and_twice_is_409(api_client, school, template):
    # given
    certificate = CertificateFactory(school=school, course=template.course)

    # when
    first = api_client.delete(f"{URL}/{certificate.id}?reason=Issued+in+error")
    second = api_client.delete(f"{URL}/{certificate.id}")
    read = api_client.get(f"{URL}/{certificate.id}")

    # then
    assert first.status_code == 200
    assert first.json()["status"] == "revoked"
    assert first.json()["revoke_reason"] == "Issued in error"
    assert first.json()["download_urls"] is None
    assert second.status_code == 409
    assert second.json()["code"] == "certificate_revoked"
    assert read.status_code == 200
    assert read.json()["status"] == "revoked"
    assert Event.objects.filter(type="certificate.revoked").count() == 1


def test_put_reissues_with_a_new_serial_and_revokes_the_old(api_client, school, template, person):
    # given
    old, _ = certificate_issue(user=person, course=template.course)

    # when
    response = api_client.put(f"{URL}/{old.id}")
    again = api_client.put(f"{URL}/{old.id}")

    # then
    assert response.status_code == 200, response.json()
    new = response.json()
    assert new["id"] != old.id
    assert new["credential_id"] != old.credential_id
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert old.replaced_by_id == new["id"]
    assert again.status_code == 409
    assert again.json()["code"] == "certificate_revoked"
    issued = Event.objects.filter(type="certificate.issued").order_by("created_at", "id")
    assert issued.last().payload["replaces"] == old.id
    assert Event.objects.get(type="certificate.revoked").payload["replaced_by"] == new["id"]


def test_another_schools_certificate_is_404(api_client, other_school):
    # given
    foreign = CertificateFactory(school=other_school)

    # when / then
    assert api_client.get(f"{URL}/{foreign.id}").status_code == 404
    assert api_client.delete(f"{URL}/{foreign.id}").status_code == 404
    assert api_client.put(f"{URL}/{foreign.id}").status_code == 404
    foreign.refresh_from_db()
    assert foreign.revoked_at is None


def test_the_verification_page_shows_validity_name_course_and_date_only(client, school, template):
    # given
    person = MemberFactory(
        school=school, user__first_name="<b>Eve</b>", user__email="eve@alpha.test"
    ).user
    certificate, _ = certificate_issue(user=person, course=template.course)

    # when
    valid = client.get(f"/verify/{certificate.id}")
    certificate_revoke(certificate=certificate, reason="cheating found")
    revoked = client.get(f"/verify/{certificate.id}")
    missing = client.get("/verify/crt_01jd8x4k2m7q9r3t5v6w8y0z1s")

    # then
    page = valid.content.decode()
    assert valid.status_code == 200
    assert "Valid" in page
    assert "Forklift Safety" in page
    assert "&lt;b&gt;Eve&lt;/b&gt;" in page
    assert "<b>Eve" not in page
    assert certificate.issued_at.date().isoformat() in page
    assert "eve@alpha.test" not in page
    assert person.id not in page
    assert "Revoked" in revoked.content.decode()
    assert "cheating" not in revoked.content.decode()
    assert missing.status_code == 404
    assert "No such certificate" in missing.content.decode()


def test_downloads_render_pdf_png_and_svg_by_signed_link(client, school, template):
    # given
    person = MemberFactory(
        school=school, user__first_name='Zoë <script>&"', user__last_name="Ł"
    ).user
    certificate, _ = certificate_issue(user=person, course=template.course)
    urls = download_urls(certificate.id)

    # when
    pdf, png, svg = (
        client.get(urls[fmt].split("127.0.0.1:8000", 1)[-1]) for fmt in ("pdf", "png", "svg")
    )
    forged = client.get(urls["pdf"].split("127.0.0.1:8000", 1)[-1][:-3] + "abc")

    # then
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    assert png["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size == (1684, 1191)
    text = svg.content.decode()
    assert svg["Content-Type"] == "image/svg+xml"
    assert "Zoë &lt;script&gt;&amp;&quot; Ł" in text
    assert "<script>" not in text
    assert forged.status_code == 403
    certificate_revoke(certificate=certificate)
    assert client.get(urls["svg"].split("127.0.0.1:8000", 1)[-1]).status_code == 410
