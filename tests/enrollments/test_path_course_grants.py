"""A course added to a path after people enrolled in it is granted to them, by a job that
the ``path.item.created`` / ``path.item.updated`` events start."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.catalog.services import paths as path_services
from apps.core.events import dispatch_event, emit
from apps.core.models import Event, Job
from apps.enrollments.models import Enrollment, EnrollmentSource, LessonProgress
from apps.enrollments.services.enrollments import PATH_COURSE_GRANT_KIND, path_course_grant_run
from tests.factories import (
    CourseFactory,
    DomainFactory,
    LessonFactory,
    PathEnrollmentFactory,
    PathItemFactory,
    PublishedCourseFactory,
    PublishedPathFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_path(school):
    published = PublishedPathFactory(school=school, domain=DomainFactory(school=school))
    PathItemFactory(school=school, path=published.path)
    return published


@pytest.fixture
def handed_over(django_capture_on_commit_callbacks):
    """Hand the committed events of a type to the subscribers, running what they queue on
    commit (the grant job's task, in-process with ``eager``)."""

    def hand_over(type: str) -> None:
        for event in Event.objects.filter(type=type, dispatched_at=None):
            with django_capture_on_commit_callbacks(execute=True):
                dispatch_event(event.id)

    return hand_over


def test_a_course_added_to_a_path_is_granted_to_everyone_enrolled_once(
    handed_over, school, published_path, eager
):
    # given: two people in the path, one of them with an inactive, expiring enrollment
    expires = timezone.now() + timedelta(days=30)
    active = PathEnrollmentFactory(school=school, published_path=published_path)
    paused = PathEnrollmentFactory(
        school=school, published_path=published_path, active=False, expires_at=expires
    )
    course = CourseFactory(school=school)
    LessonFactory(school=school, course=course)
    on_domain = PublishedCourseFactory(school=school, domain=published_path.domain, course=course)

    # when: the course joins the path, and the event is handed over twice (redelivery)
    item = path_services.path_item_create(path=published_path.path, course=course)
    handed_over("path.item.created")
    Event.objects.filter(type="path.item.created").update(dispatched_at=None)
    handed_over("path.item.created")

    # then
    event = Event.objects.get(type="path.item.created")
    assert event.payload["id"] == item.id
    assert event.payload["course"] == {"id": course.id, "title": course.title}
    granted = {e.path_enrollment_id: e for e in Enrollment.objects.filter(course=course)}
    assert set(granted) == {active.id, paused.id}
    assert granted[active.id].active
    assert granted[active.id].expires_at is None
    assert not granted[paused.id].active
    assert granted[paused.id].expires_at == expires
    assert {e.published_course_id for e in granted.values()} == {on_domain.id}
    assert {e.source for e in granted.values()} == {EnrollmentSource.PATH}
    assert LessonProgress.objects.filter(course=course).count() == 2
    job = Job.objects.get(kind=PATH_COURSE_GRANT_KIND)
    assert (job.status, job.result["granted"], job.progress_done) == ("succeeded", 2, 2)


def test_a_course_put_in_place_of_another_is_granted(handed_over, school, published_path, eager):
    # given
    enrolled = PathEnrollmentFactory(school=school, published_path=published_path)
    item = published_path.path.items.get()
    replacement = CourseFactory(school=school)

    # when
    path_services.path_item_update(path_item=item, course=replacement)
    handed_over("path.item.updated")

    # then
    assert Enrollment.objects.filter(path_enrollment=enrolled, course=replacement).exists()


def test_a_move_within_the_path_starts_no_grant_for_courses_people_have(
    handed_over, school, published_path, eager
):
    # given: one person enrolled when the path had both courses
    second = PathItemFactory(school=school, path=published_path.path)
    enrolled = PathEnrollmentFactory(school=school, published_path=published_path)
    for item in published_path.path.items.all():
        Enrollment.objects.create(
            school=school,
            user=enrolled.user,
            course=item.course,
            path_enrollment=enrolled,
            enrolled_at=enrolled.enrolled_at,
            source=EnrollmentSource.PATH,
        )

    # when
    path_services.path_item_update(path_item=second, order=1)
    handed_over("path.item.updated")

    # then: the job finds nothing to grant
    assert Enrollment.objects.filter(path_enrollment=enrolled).count() == 2
    assert Job.objects.get(kind=PATH_COURSE_GRANT_KIND).result["granted"] == 0


def test_a_path_nobody_is_enrolled_in_starts_no_job(handed_over, school, published_path, eager):
    path_services.path_item_create(path=published_path.path, course=CourseFactory(school=school))
    handed_over("path.item.created")

    assert not Job.objects.filter(kind=PATH_COURSE_GRANT_KIND).exists()


def test_a_course_removed_again_before_the_job_ran_is_not_granted(school, published_path):
    # given: the job exists but has not run (its task is queued on commit, which a test
    # transaction never reaches), then the course leaves the path
    PathEnrollmentFactory(school=school, published_path=published_path)
    course = CourseFactory(school=school)
    item = path_services.path_item_create(path=published_path.path, course=course)
    dispatch_event(Event.objects.get(type="path.item.created").id)
    job = Job.objects.get(kind=PATH_COURSE_GRANT_KIND)
    path_services.path_item_delete(path_item=item)

    # when
    path_course_grant_run(job=job)

    # then
    assert not Enrollment.objects.filter(course=course).exists()
    assert job.result == {"granted": 0, "skipped": True}


def test_another_schools_path_event_grants_nothing_here(school, other_school, published_path):
    # given: an event of the other school naming this school's path and a course
    PathEnrollmentFactory(school=school, published_path=published_path)
    theirs = PublishedPathFactory(school=other_school)
    PathEnrollmentFactory(school=other_school, published_path=theirs)
    course = CourseFactory(school=school)
    event = emit(
        other_school,
        "path.item.created",
        {
            "id": "pti_01jd8x4k2m7q9r3t5v6w8y0z1s",
            "path": {"id": published_path.path_id, "title": "x"},
            "course": {"id": course.id, "title": "x"},
            "slug": "x",
            "order": 1,
        },
    )

    # when
    dispatch_event(event.id)

    # then
    assert not Job.objects.filter(kind=PATH_COURSE_GRANT_KIND).exists()
    assert not Enrollment.objects.filter(course=course).exists()
