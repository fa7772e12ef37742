"""The demo school's community: a collection with two spaces and members (registered with
``apps.core.demo``; runs after the catalog's and enrollments' demos)."""

from django.db import transaction
from django.utils import timezone

from apps.catalog.models import Course
from apps.community.models import Cohort, Collection, Space
from apps.community.services import posts as post_services
from apps.community.services.cohorts import cohort_create, cohort_members_add
from apps.community.services.members import space_members_add
from apps.community.services.posts import comment_create, post_create
from apps.community.services.spaces import collection_create, space_create
from apps.schools.models import Member, School, User

DEMO_COLLECTION = "Getting started"


@transaction.atomic
def seed_demo_community(school: School) -> None:
    """A collection, an open space everyone is in (with a pinned welcome post and a short
    conversation) and a private space for the first course's learners, once; a later run
    adds nothing."""
    if Collection.objects.filter(school=school, title=DEMO_COLLECTION).exists():
        return
    collection = collection_create(
        school=school,
        title=DEMO_COLLECTION,
        description="Where new learners meet the school and each other.",
    )
    course = Course.objects.filter(school=school).order_by("id").first()
    lounge = space_create(
        school=school,
        title="Lounge",
        description="<p>Say hello and ask anything.</p>",
        collection=collection,
        visibility=Space.Visibility.PUBLIC,
    )
    study = space_create(
        school=school,
        title=f"{course.title}: study group" if course else "Study group",
        description="<p>For the course's learners.</p>",
        collection=collection,
        visibility=Space.Visibility.PRIVATE,
        is_invitation_required=True,
        course=course,
    )
    people = list(
        User.objects.filter(school=school, memberships__status=Member.Status.ACTIVE).order_by("id")
    )
    space_members_add(space=lounge, users=people)
    space_members_add(space=study, users=people[:2])

    # A conversation in the lounge: a welcome post pinned by staff, a member's question
    # with a comment and a reply.
    welcome = post_create(
        space=lounge,
        author=None,
        title="Welcome!",
        body="<p>Introduce yourself and tell us what you want to learn.</p>",
        tags=["welcome"],
    )
    post_services.post_pin(post=welcome, pinned=True)
    if people:
        question = post_create(
            space=lounge,
            author=people[0],
            title="Study tips?",
            body="<p>How do you plan your week around the courses?</p>",
            tags=["tips"],
        )
        first = comment_create(
            post=question,
            author=people[-1],
            body="<p>Two short sessions a day work for me.</p>",
        )
        comment_create(
            post=question, author=people[0], body="<p>Thanks, trying that.</p>", parent=first
        )


DEMO_COHORT = "First cohort"


@transaction.atomic
def seed_demo_cohort(school: School) -> None:
    """A cohort of the first course starting today with the demo learner (the school's
    first learner) in it, enrolled and in its space, once; a later run adds nothing."""
    course = Course.objects.filter(school=school).order_by("id").first()
    if course is None or Cohort.objects.filter(school=school, name=DEMO_COHORT).exists():
        return
    learner = (
        Member.objects.filter(school=school, role=Member.Role.LEARNER, status=Member.Status.ACTIVE)
        .select_related("user")
        .order_by("id")
        .first()
    )
    cohort = cohort_create(
        school=school, name=DEMO_COHORT, course=course, start_date=timezone.localdate()
    )
    if learner is not None:
        cohort_members_add(cohort=cohort, users=[learner.user])
