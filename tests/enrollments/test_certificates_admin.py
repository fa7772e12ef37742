"""Staff edit certificate templates, issue certificates, revoke and reissue them, and register
people for live sessions in the admin, through the same services."""

import pytest

from apps.catalog.models import LessonType
from apps.core.models import Event
from apps.enrollments.models import Certificate, CertificateTemplate, ViltSessionRegistration
from apps.enrollments.services.certificates import certificate_issue
from tests.factories import (
    CertificateTemplateFactory,
    CourseFactory,
    EnrollmentFactory,
    IltSessionFactory,
    LessonFactory,
    MemberFactory,
    ViltSessionRegistrationFactory,
)

pytestmark = pytest.mark.django_db


def test_a_template_is_saved_through_the_service_and_a_bad_placeholder_shows_on_the_form(
    staff_client, school
):
    # given
    course = CourseFactory(school=school)
    data = {"course": course.pk, "title": "Well done", "signature_name": "Dana"}

    # when
    refused = staff_client.post(
        "/admin/enrollments/certificatetemplate/add/", {**data, "body": "Hi {nickname}"}
    )
    saved = staff_client.post(
        "/admin/enrollments/certificatetemplate/add/", {**data, "body": "Hi {user_name}"}
    )

    # then
    assert refused.status_code == 200
    assert "unknown placeholder" in refused.content.decode()
    assert saved.status_code == 302, saved.content[:2000]
    template = CertificateTemplate.objects.get()
    assert (template.course, template.body, template.school) == (course, "Hi {user_name}", school)


def test_staff_issue_a_certificate_through_the_service(staff_client, school):
    # given
    template = CertificateTemplateFactory(school=school)
    person = MemberFactory(school=school).user

    # when
    response = staff_client.post(
        "/admin/enrollments/certificate/add/", {"user": person.pk, "course": template.course.pk}
    )

    # then
    assert response.status_code == 302, response.content[:2000]
    certificate = Certificate.objects.get()
    assert certificate.user == person
    assert Event.objects.filter(school=school, type="certificate.issued").count() == 1


def test_revoke_and_reissue_actions_go_through_the_services(staff_client, school):
    # given
    template = CertificateTemplateFactory(school=school)
    first, _ = certificate_issue(user=MemberFactory(school=school).user, course=template.course)
    second, _ = certificate_issue(user=MemberFactory(school=school).user, course=template.course)

    # when
    staff_client.post(
        "/admin/enrollments/certificate/",
        {"action": "revoke_selected", "_selected_action": [first.pk]},
    )
    staff_client.post(
        "/admin/enrollments/certificate/",
        {"action": "reissue_selected", "_selected_action": [second.pk]},
    )
    again = staff_client.post(
        "/admin/enrollments/certificate/",
        {"action": "revoke_selected", "_selected_action": [first.pk]},
        follow=True,
    )

    # then
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.revoked_at is not None
    assert second.replaced_by is not None
    assert "already revoked" in again.content.decode()
    assert Event.objects.filter(type="certificate.revoked").count() == 2


def test_staff_register_a_person_and_record_attendance(staff_client, school):
    # given
    enrollment = EnrollmentFactory(school=school)
    lesson = LessonFactory(school=school, course=enrollment.course, type=LessonType.LIVE_TRAINING)
    session = IltSessionFactory(school=school, lesson=lesson, seats_total=1)
    taken = ViltSessionRegistrationFactory(school=school)

    # when
    added = staff_client.post(
        "/admin/enrollments/viltsessionregistration/add/",
        {"session": session.pk, "enrollment": enrollment.pk},
    )
    changed = staff_client.post(
        f"/admin/enrollments/viltsessionregistration/{taken.pk}/change/", {"attended": "true"}
    )

    # then
    assert added.status_code == 302, added.content[:2000]
    assert changed.status_code == 302, changed.content[:2000]
    assert ViltSessionRegistration.objects.get(session=session).user == enrollment.user
    taken.refresh_from_db()
    assert taken.attended is True
    assert Event.objects.filter(type="vilt.registration.created").count() == 1
