"""factory_boy factories, and the registry the generic tenancy tests build school-owned rows from.

Every model an API viewset serves needs a way to create one of its rows inside a given
school: ``tests/test_tenancy.py`` and ``tests/core/test_list_query_counts.py`` walk every
registered route and call ``create_owned(Model, school=...)``. A factory here whose
``_meta.model`` is the model is found automatically (keep one factory per model, or name
the one to use in ``TENANT_FACTORIES``). Rows that a factory alone cannot make (parents
in the same school, extra setup) get an entry in ``TENANT_FACTORIES``:

    TENANT_FACTORIES[Section] = lambda school, **kw: SectionFactory(
        school=school, course=kw.get("course") or CourseFactory(school=school)
    )

Registry callables take the school and optional overrides (the parent rows of a nested
route, e.g. ``course=...``, so several rows can share one parent for query counts).

A route whose model has no way to be created makes the tenancy test fail, so no new
endpoint silently escapes the cross-school checks.

Request bodies are checked too: every related field (``PrimaryKeyRelatedField`` and kin)
of every request serializer gets another school's id and must answer 400 "does not
exist". A body field named like an id (``course_id``, ``user_ids``) that is not a related
field must be declared in ``ID_FIELD_MODELS`` (the model it names, or None when it is not
a reference, like ``external_id``). When an endpoint needs more than the reference to get
as far as resolving it, give a valid body for school A in ``BODY_BASES``.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import factory
from django.db import models
from django.utils import timezone
from factory.django import DjangoModelFactory

from apps.catalog.models import (
    Answer,
    Asset,
    Bundle,
    ContentItem,
    ContentItemType,
    Course,
    CourseSeries,
    IltInstructor,
    IltMultiSessionEvent,
    IltSession,
    ImportState,
    Label,
    Lesson,
    LessonType,
    Path,
    PathItem,
    PublishedCourse,
    PublishedPath,
    Question,
    QuestionBank,
    QuestionType,
    Quiz,
    WebPackage,
)
from apps.catalog.services.search import (
    published_course_search_refresh,
    published_path_search_refresh,
)
from apps.commerce.models import (
    Affiliate,
    AffiliateCommission,
    BundleEnrollment,
    DiscountType,
    Installment,
    InvoiceCounter,
    Lead,
    Offer,
    Payment,
    Plan,
    PlanCourse,
    PlanCourseGrant,
    PlanEnrollment,
    PromoCode,
    PromoCodePool,
    PromoCodeRedemption,
    Purchase,
    SeatAssignment,
    SeatOffering,
    SubscriptionGrant,
    SubscriptionPlan,
    SubscriptionStatus,
    TrainingCreditCode,
    TrainingCreditSpend,
    UserSubscription,
)
from apps.community.models import (
    Cohort,
    CohortMember,
    Collection,
    Comment,
    Notification,
    Post,
    PostReport,
    Reaction,
    Space,
    SpaceMember,
)
from apps.core.models import Event, Job
from apps.enrollments.models import (
    AssignmentSubmission,
    AttemptAnswer,
    AttemptStatus,
    Certificate,
    CertificateTemplate,
    CourseProgress,
    Enrollment,
    LessonProgress,
    PathEnrollment,
    ProgressToken,
    QuizAttempt,
    SyncReceipt,
    ViltSessionRegistration,
)
from apps.enrollments.services.certificates import new_credential_id
from apps.schools.models import (
    AccessCode,
    AccessCodePool,
    ApiKey,
    Domain,
    DomainUser,
    Group,
    GroupAccessCodePool,
    GroupCategory,
    GroupMembership,
    Invite,
    Member,
    School,
    Segment,
    SignupField,
    SignupFieldOption,
    SignupFieldValue,
    Tag,
    User,
    UserRole,
)
from apps.schools.services.schools import api_key_create, school_create
from apps.webhooks.models import Delivery, Webhook
from apps.webhooks.signing import generate_secret

DEFAULT_PASSWORD = "correct horse battery"


class SchoolFactory(DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"School {n}")
    slug = factory.Sequence(lambda n: f"school-{n}")

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> School:
        """Through ``school_create``, so the school has its built-in user roles."""
        school, _ = school_create(name=kwargs.pop("name"), slug=kwargs.pop("slug"))
        for name, value in kwargs.items():
            setattr(school, name, value)
        if kwargs:
            school.save(update_fields=[*kwargs, "updated_at"])
        return school


class UserFactory(DjangoModelFactory):
    """A school's account (``school=None`` makes a platform operator's)."""

    class Meta:
        model = User

    school = factory.SubFactory(SchoolFactory)
    email = factory.Sequence(lambda n: f"person{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(DEFAULT_PASSWORD)


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"tag-{n}")


class MemberFactory(DjangoModelFactory):
    """A user of a school; ``tags=[...]`` names tags to attach (made in the same school)."""

    class Meta:
        model = Member
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))
    role = Member.Role.LEARNER
    company = "Acme"
    country = "US"

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Member:
        """An account built apart (``user=UserFactory(...)``) joins the member's school."""
        _join(kwargs["user"], kwargs["school"])
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def tags(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        names = ["cohort-1"] if extracted is None else extracted
        if create and names:
            self.tags.set(
                [Tag.objects.get_or_create(school=self.school, name=name)[0] for name in names]
            )


class DomainFactory(DjangoModelFactory):
    class Meta:
        model = Domain

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"learn{n}.example.test")
    catalog_title = "Catalog"


class ApiKeyFactory(DjangoModelFactory):
    """An API key made through the service; the secret is on ``key.secret``."""

    class Meta:
        model = ApiKey

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"key {n}")
    scopes = factory.LazyFunction(lambda: ["*"])

    @classmethod
    def _create(cls, model_class: type[ApiKey], *args: Any, **kwargs: Any) -> ApiKey:
        key, secret = api_key_create(
            school=kwargs["school"],
            name=kwargs["name"],
            scopes=kwargs["scopes"],
            test=kwargs.get("is_test", False),
        )
        key.secret = secret
        return key


class JobFactory(DjangoModelFactory):
    class Meta:
        model = Job

    school = factory.SubFactory(SchoolFactory)
    kind = "test.work"
    scope = "read:users"
    progress_total = 10


class EventFactory(DjangoModelFactory):
    class Meta:
        model = Event

    school = factory.SubFactory(SchoolFactory)
    type = "user.created"
    payload = factory.LazyFunction(lambda: {"id": "usr_test"})


class WebhookFactory(DjangoModelFactory):
    """A webhook endpoint saved as is (no URL check; build through services to test those)."""

    class Meta:
        model = Webhook

    school = factory.SubFactory(SchoolFactory)
    target_url = factory.Sequence(lambda n: f"https://hooks{n}.example.test/lyceum")
    secret = factory.LazyFunction(generate_secret)


class DeliveryFactory(DjangoModelFactory):
    """A delivery of a new event of the same school to ``webhook``."""

    class Meta:
        model = Delivery

    school = factory.SubFactory(SchoolFactory)
    webhook = factory.SubFactory(WebhookFactory, school=factory.SelfAttribute("..school"))
    event = factory.SubFactory(EventFactory, school=factory.SelfAttribute("..school"))
    target_url = factory.SelfAttribute("webhook.target_url")
    event_type = factory.SelfAttribute("event.type")
    status = Delivery.Status.SUCCEEDED
    attempt_count = 1


# --- the tenant-row registry -----------------------------------------------------------------

# Model -> callable(school, **overrides) returning a saved row of that model owned by the
# school. Add an entry when the auto-discovered factory (``factory_for``) cannot make a row
# on its own.
TENANT_FACTORIES: dict[type[models.Model], Callable[..., models.Model]] = {}


def _all_factories() -> list[type[DjangoModelFactory]]:
    found: list[type[DjangoModelFactory]] = []
    pending = list(DjangoModelFactory.__subclasses__())
    while pending:
        klass = pending.pop()
        pending.extend(klass.__subclasses__())
        if getattr(klass._meta, "model", None) is not None and not klass._meta.abstract:
            found.append(klass)
    return found


def factory_for(model: type[models.Model]) -> Callable[..., models.Model] | None:
    """How to create a ``model`` row in a school, or None when nothing is registered."""
    if model in TENANT_FACTORIES:
        return TENANT_FACTORIES[model]
    candidates = [klass for klass in _all_factories() if klass._meta.model is model]
    if len(candidates) != 1:
        return None
    klass = candidates[0]
    return lambda school, **overrides: klass(school=school, **overrides)


def create_owned(model: type[models.Model], *, school: School, **overrides: Any) -> models.Model:
    """A saved ``model`` row owned by ``school``; KeyError when no factory is registered."""
    make = factory_for(model)
    if make is None:
        raise KeyError(
            f"No way to create a {model._meta.label} row: add a factory for it to "
            "tests/factories.py (or an entry in TENANT_FACTORIES)."
        )
    return make(school, **overrides)


# Body fields named like ids that are not DRF related fields: the model whose row they name
# (another school's row must be refused), or None when the value is not a Lyceum id.
ID_FIELD_MODELS: dict[str, type[models.Model] | None] = {
    "external_id": None,  # the integrator's own id for a user
    "order_id": None,  # a payment processor's order number, recorded as given
    # The purchase an enrollment was bought with, as the integrator's system names it
    # (recorded as given, like Skilljar's block; commerce's own purchases link by their id).
    "purchase_id": None,
    "client_id": None,  # an offline client's own id for a queued item, recorded as given
    # A payment processor's transaction id for a purchase, recorded as given.
    "payment_processor_order_id": None,
    "processor_order_id": None,  # a payment processor's order number, recorded as given
    # A promo code pool's offers are posted as Skilljar's ``{"id": …}`` (one or an array,
    # resolved in one query); the only body field named plainly ``id``.
    "id": Offer,
}

# "METHOD /api/v1/path" -> callable(school) returning a valid body for that school; the
# tenancy test overlays another school's id on it, so validation reaches the reference.
BODY_BASES: dict[str, Callable[[School], dict]] = {}

# Path parameter name -> callable(row) giving its value, for nested routes whose parent
# parameter cannot be read off the row as ``row.<name>`` or ``row.<a>.<b>`` (``domain_name``
# is found as ``row.domain.name`` without an entry).
PATH_KWARGS: dict[str, Callable[[models.Model], str]] = {}


# --- schools: domain users, access codes, signup fields, groups, invites, roles, segments ---


def _join(user: User, school: School) -> None:
    """An account belongs to the school of its membership."""
    if user.school_id != school.pk:
        user.school = school
        user.save(update_fields=["school", "updated_at"])


def _member_of(school: School, user: User) -> Member:
    _join(user, school)
    return Member.objects.get_or_create(school=school, user=user)[0]


def _domain_user_of(domain: Domain, member: Member) -> DomainUser:
    return DomainUser.objects.get_or_create(
        domain=domain, member=member, defaults={"school": member.school, "user": member.user}
    )[0]


class DomainUserFactory(DjangoModelFactory):
    """A person's access to a domain (``domain=`` / ``user=`` put it under given parents)."""

    class Meta:
        model = DomainUser

    school = factory.SubFactory(SchoolFactory)
    domain = factory.SubFactory(DomainFactory, school=factory.SelfAttribute("..school"))
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))
    member = factory.LazyAttribute(lambda o: _member_of(o.school, o.user))


class AccessCodePoolFactory(DjangoModelFactory):
    class Meta:
        model = AccessCodePool

    school = factory.SubFactory(SchoolFactory)
    domain = factory.SubFactory(DomainFactory, school=factory.SelfAttribute("..school"))
    name = factory.Sequence(lambda n: f"pool-{n}")


class AccessCodeFactory(DjangoModelFactory):
    class Meta:
        model = AccessCode

    school = factory.SubFactory(SchoolFactory)
    domain = factory.SubFactory(DomainFactory, school=factory.SelfAttribute("..school"))
    access_code_pool = factory.SubFactory(
        AccessCodePoolFactory,
        school=factory.SelfAttribute("..school"),
        domain=factory.SelfAttribute("..domain"),
    )
    code = factory.Sequence(lambda n: f"CODE{n:05d}")
    max_uses = 10


class SignupFieldFactory(DjangoModelFactory):
    class Meta:
        model = SignupField

    school = factory.SubFactory(SchoolFactory)
    domain = factory.SubFactory(DomainFactory, school=factory.SelfAttribute("..school"))
    label = factory.Sequence(lambda n: f"Question {n}")
    type = "text"


class SignupFieldOptionFactory(DjangoModelFactory):
    class Meta:
        model = SignupFieldOption

    school = factory.SubFactory(SchoolFactory)
    field = factory.SubFactory(
        SignupFieldFactory, school=factory.SelfAttribute("..school"), type="select"
    )
    label = factory.Sequence(lambda n: f"Option {n}")


class SignupFieldValueFactory(DjangoModelFactory):
    """An answer of a domain user (who is created on the domain when missing)."""

    class Meta:
        model = SignupFieldValue
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    domain = factory.SubFactory(DomainFactory, school=factory.SelfAttribute("..school"))
    field = factory.SubFactory(
        SignupFieldFactory,
        school=factory.SelfAttribute("..school"),
        domain=factory.SelfAttribute("..domain"),
    )
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))
    member = factory.LazyAttribute(lambda o: _member_of(o.school, o.user))
    value = "An answer"

    @factory.post_generation
    def on_domain(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            _domain_user_of(self.domain, self.member)


class GroupCategoryFactory(DjangoModelFactory):
    class Meta:
        model = GroupCategory

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class GroupFactory(DjangoModelFactory):
    class Meta:
        model = Group

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Group {n}")
    discount_percent = 10


class GroupMembershipFactory(DjangoModelFactory):
    class Meta:
        model = GroupMembership

    school = factory.SubFactory(SchoolFactory)
    group = factory.SubFactory(GroupFactory, school=factory.SelfAttribute("..school"))
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))
    member = factory.LazyAttribute(lambda o: _member_of(o.school, o.user))


class GroupAccessCodePoolFactory(DjangoModelFactory):
    class Meta:
        model = GroupAccessCodePool

    school = factory.SubFactory(SchoolFactory)
    group = factory.SubFactory(GroupFactory, school=factory.SelfAttribute("..school"))
    access_code_pool = factory.SubFactory(
        AccessCodePoolFactory, school=factory.SelfAttribute("..school")
    )


class InviteFactory(DjangoModelFactory):
    class Meta:
        model = Invite

    school = factory.SubFactory(SchoolFactory)
    domain = factory.SubFactory(DomainFactory, school=factory.SelfAttribute("..school"))
    user = factory.SubFactory(UserFactory, school=factory.SelfAttribute("..school"))
    domain_user = factory.LazyAttribute(
        lambda o: _domain_user_of(o.domain, _member_of(o.school, o.user))
    )
    send_email = False
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class UserRoleFactory(DjangoModelFactory):
    class Meta:
        model = UserRole

    school = factory.SubFactory(SchoolFactory)
    title = factory.Sequence(lambda n: f"Role {n}")
    role = Member.Role.INSTRUCTOR


class SegmentFactory(DjangoModelFactory):
    class Meta:
        model = Segment

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Segment {n}")
    filters = factory.LazyFunction(lambda: {"roles": ["learner"]})


# --- catalog: courses, labels, lessons, content items, assets, web packages, quizzes ---------


def _next_order(model: type[models.Model], **parent: models.Model) -> int:
    return model.objects.filter(**parent).count() + 1


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    school = factory.SubFactory(SchoolFactory)
    title = factory.Sequence(lambda n: f"Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    short_description = "A course."
    enforce_sequential_navigation = False


class LabelFactory(DjangoModelFactory):
    class Meta:
        model = Label

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Label {n}")


class LessonFactory(DjangoModelFactory):
    """A lesson at the end of its course (``course=`` puts it in a given course)."""

    class Meta:
        model = Lesson

    school = factory.SubFactory(SchoolFactory)
    course = factory.SubFactory(CourseFactory, school=factory.SelfAttribute("..school"))
    type = LessonType.HTML
    title = factory.Sequence(lambda n: f"Lesson {n}")
    order = factory.LazyAttribute(lambda o: _next_order(Lesson, course=o.course))


class ContentItemFactory(DjangoModelFactory):
    class Meta:
        model = ContentItem

    school = factory.SubFactory(SchoolFactory)
    lesson = factory.SubFactory(LessonFactory, school=factory.SelfAttribute("..school"))
    header = factory.Sequence(lambda n: f"Block {n}")
    type = ContentItemType.HTML
    order = factory.LazyAttribute(lambda o: _next_order(ContentItem, lesson=o.lesson))


class AssetFactory(DjangoModelFactory):
    class Meta:
        model = Asset

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Asset {n}")
    embed_link_url = "https://video.example.com/embed/1"


class WebPackageFactory(DjangoModelFactory):
    class Meta:
        model = WebPackage

    school = factory.SubFactory(SchoolFactory)
    title = factory.Sequence(lambda n: f"Package {n}")
    content_url = "https://files.example.com/package.zip"
    state = ImportState.READY
    type = WebPackage.Type.SCORM


class QuizFactory(DjangoModelFactory):
    class Meta:
        model = Quiz

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Quiz {n}")


class QuestionBankFactory(DjangoModelFactory):
    class Meta:
        model = QuestionBank

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Bank {n}")


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    school = factory.SubFactory(SchoolFactory)
    quiz = factory.SubFactory(QuizFactory, school=factory.SelfAttribute("..school"))
    type = QuestionType.FREEFORM
    html = "<p>Explain.</p>"


class AnswerFactory(DjangoModelFactory):
    class Meta:
        model = Answer

    school = factory.SubFactory(SchoolFactory)
    question = factory.SubFactory(QuestionFactory, school=factory.SelfAttribute("..school"))
    answer_text = factory.Sequence(lambda n: f"Answer {n}")


# --- catalog: live training ------------------------------------------------------------------


class IltInstructorFactory(DjangoModelFactory):
    class Meta:
        model = IltInstructor

    school = factory.SubFactory(SchoolFactory)
    email = factory.Sequence(lambda n: f"instructor{n}@example.com")
    email_key = factory.LazyAttribute(lambda o: o.email.lower())
    provider = "calendar"


class IltMultiSessionEventFactory(DjangoModelFactory):
    class Meta:
        model = IltMultiSessionEvent

    school = factory.SubFactory(SchoolFactory)
    lesson = factory.SubFactory(
        LessonFactory, school=factory.SelfAttribute("..school"), type=LessonType.LIVE_TRAINING
    )
    display_name = factory.Sequence(lambda n: f"Workshop series {n}")


class IltSessionFactory(DjangoModelFactory):
    """A one-hour calendar session of a LIVE_TRAINING lesson, a week from now."""

    class Meta:
        model = IltSession

    school = factory.SubFactory(SchoolFactory)
    lesson = factory.SubFactory(
        LessonFactory, school=factory.SelfAttribute("..school"), type=LessonType.LIVE_TRAINING
    )
    instructor = factory.SubFactory(IltInstructorFactory, school=factory.SelfAttribute("..school"))
    instructor_email = factory.SelfAttribute("instructor.email")
    display_name = factory.Sequence(lambda n: f"Live session {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=1))
    timezone = "Europe/Paris"


# --- catalog: paths, bundles, course series, publications on domains -------------------------


class PathFactory(DjangoModelFactory):
    class Meta:
        model = Path

    school = factory.SubFactory(SchoolFactory)
    title = factory.Sequence(lambda n: f"Path {n}")
    slug = factory.Sequence(lambda n: f"path-{n}")


class PathItemFactory(DjangoModelFactory):
    """A course at the end of its path (``path=`` puts it in a given path)."""

    class Meta:
        model = PathItem

    school = factory.SubFactory(SchoolFactory)
    path = factory.SubFactory(PathFactory, school=factory.SelfAttribute("..school"))
    course = factory.SubFactory(CourseFactory, school=factory.SelfAttribute("..school"))
    slug = factory.LazyAttribute(lambda o: o.course.slug)
    order = factory.LazyAttribute(lambda o: _next_order(PathItem, path=o.path))


class BundleFactory(DjangoModelFactory):
    class Meta:
        model = Bundle

    school = factory.SubFactory(SchoolFactory)
    title = factory.Sequence(lambda n: f"Bundle {n}")


class CourseSeriesFactory(DjangoModelFactory):
    class Meta:
        model = CourseSeries

    school = factory.SubFactory(SchoolFactory)
    domain = factory.SubFactory(DomainFactory, school=factory.SelfAttribute("..school"))
    title = factory.Sequence(lambda n: f"Series {n}")


class PublishedCourseFactory(DjangoModelFactory):
    """A course published on a domain, in a course series of that domain (``course_series=None``
    for none)."""

    class Meta:
        model = PublishedCourse
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    domain = factory.SubFactory(DomainFactory, school=factory.SelfAttribute("..school"))
    course = factory.SubFactory(CourseFactory, school=factory.SelfAttribute("..school"))
    course_series = factory.SubFactory(
        CourseSeriesFactory,
        school=factory.SelfAttribute("..school"),
        domain=factory.SelfAttribute("..domain"),
    )
    slug = factory.LazyAttribute(lambda o: o.course.slug)

    @factory.post_generation
    def indexed(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Its search document is written, as ``course_publish`` does."""
        if create:
            published_course_search_refresh(course=self.course)


class PublishedPathFactory(DjangoModelFactory):
    class Meta:
        model = PublishedPath
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    domain = factory.SubFactory(DomainFactory, school=factory.SelfAttribute("..school"))
    path = factory.SubFactory(PathFactory, school=factory.SelfAttribute("..school"))
    slug = factory.LazyAttribute(lambda o: o.path.slug)

    @factory.post_generation
    def indexed(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        """Its search document is written, as ``path_publish`` does."""
        if create:
            published_path_search_refresh(path=self.path)


# --- enrollments: enrollments, path enrollments, progress ------------------------------------


class _LearnerRowFactory(DjangoModelFactory):
    """A row of a new member of ``school`` (``user=`` gives it to someone else)."""

    class Meta:
        abstract = True

    school = factory.SubFactory(SchoolFactory)
    user = factory.LazyAttribute(lambda o: MemberFactory(school=o.school).user)


class EnrollmentFactory(_LearnerRowFactory):
    """A member's enrollment in a published course (its progress rows are not made)."""

    class Meta:
        model = Enrollment

    published_course = factory.SubFactory(
        PublishedCourseFactory, school=factory.SelfAttribute("..school")
    )
    course = factory.SelfAttribute("published_course.course")
    enrolled_at = factory.LazyFunction(timezone.now)


class PathEnrollmentFactory(_LearnerRowFactory):
    class Meta:
        model = PathEnrollment

    published_path = factory.SubFactory(
        PublishedPathFactory, school=factory.SelfAttribute("..school")
    )
    path = factory.SelfAttribute("published_path.path")
    enrolled_at = factory.LazyFunction(timezone.now)


class CourseProgressFactory(_LearnerRowFactory):
    class Meta:
        model = CourseProgress

    course = factory.SubFactory(CourseFactory, school=factory.SelfAttribute("..school"))


class LessonProgressFactory(_LearnerRowFactory):
    class Meta:
        model = LessonProgress

    lesson = factory.SubFactory(LessonFactory, school=factory.SelfAttribute("..school"))
    course = factory.SelfAttribute("lesson.course")


class ProgressTokenFactory(DjangoModelFactory):
    class Meta:
        model = ProgressToken

    school = factory.SubFactory(SchoolFactory)
    lesson_progress = factory.SubFactory(
        LessonProgressFactory, school=factory.SelfAttribute("..school")
    )


class ViltSessionRegistrationFactory(DjangoModelFactory):
    """An enrolled person registered for a session of a LIVE_TRAINING lesson of the
    enrollment's course."""

    class Meta:
        model = ViltSessionRegistration

    school = factory.SubFactory(SchoolFactory)
    enrollment = factory.SubFactory(EnrollmentFactory, school=factory.SelfAttribute("..school"))
    session = factory.LazyAttribute(
        lambda o: IltSessionFactory(
            school=o.school,
            lesson=LessonFactory(
                school=o.school, course=o.enrollment.course, type=LessonType.LIVE_TRAINING
            ),
        )
    )
    user = factory.SelfAttribute("enrollment.user")


class CertificateTemplateFactory(DjangoModelFactory):
    class Meta:
        model = CertificateTemplate

    school = factory.SubFactory(SchoolFactory)
    course = factory.SubFactory(CourseFactory, school=factory.SelfAttribute("..school"))
    title = "Certificate of Completion"
    body = "This certifies that {user_name} has completed {course_title}."
    signature_name = "Dana Registrar"


class CertificateFactory(_LearnerRowFactory):
    """A valid certificate (made directly; ``certificate_issue`` is the service's way)."""

    class Meta:
        model = Certificate

    course = factory.SubFactory(CourseFactory, school=factory.SelfAttribute("..school"))
    credential_id = factory.LazyFunction(new_credential_id)
    issued_at = factory.LazyFunction(timezone.now)
    user_name = factory.LazyAttribute(lambda o: o.user.email)
    course_title = factory.SelfAttribute("course.title")
    title = "Certificate of Completion"
    body = factory.LazyAttribute(lambda o: f"This certifies that {o.user_name} completed it.")


def _domain_name(row: models.Model) -> str:
    """The domain of a row under ``domains/{domain_name}/``: its own, or its publication's."""
    for path in ("domain", "published_course.domain", "published_path.domain"):
        value: Any = row
        for part in path.split("."):
            value = getattr(value, part, None)
        if value is not None:
            return value.name
    raise AttributeError(f"{type(row).__name__} has no domain to fill domain_name")


PATH_KWARGS["domain_name"] = _domain_name


# --- enrollments: quiz attempts --------------------------------------------------------------


class QuizAttemptFactory(_LearnerRowFactory):
    """A graded, submitted attempt of a new member at a QUIZ lesson's quiz (``lesson=`` puts
    it in a given lesson)."""

    class Meta:
        model = QuizAttempt

    lesson = factory.SubFactory(
        LessonFactory,
        school=factory.SelfAttribute("..school"),
        type=LessonType.QUIZ,
        content_quiz=factory.SubFactory(QuizFactory, school=factory.SelfAttribute("..school")),
    )
    quiz = factory.SelfAttribute("lesson.content_quiz")
    course = factory.SelfAttribute("lesson.course")
    number = 1
    status = AttemptStatus.GRADED
    started_at = factory.LazyFunction(timezone.now)
    submitted_at = factory.LazyFunction(timezone.now)
    graded_at = factory.LazyFunction(timezone.now)
    score = 0
    max_score = 0
    percentage = 100
    passed = True


class AttemptAnswerFactory(DjangoModelFactory):
    class Meta:
        model = AttemptAnswer

    school = factory.SubFactory(SchoolFactory)
    attempt = factory.SubFactory(QuizAttemptFactory, school=factory.SelfAttribute("..school"))
    question = factory.SubFactory(
        QuestionFactory,
        school=factory.SelfAttribute("..school"),
        quiz=factory.SelfAttribute("..attempt.quiz"),
    )
    position = 1
    response = "An answer."
    manual = True


def _enrollment_of(school: School, user: User | None) -> Enrollment:
    """The person's enrollment in a published course made by these factories, or a new one
    (with a new person when ``user`` is None)."""
    if user is not None:
        found = Enrollment.objects.filter(user=user, published_course__isnull=False).first()
        if found is not None:
            return found
        return EnrollmentFactory(school=school, user=user)
    return EnrollmentFactory(school=school)


def _lesson_progress(school: School, **overrides: Any) -> LessonProgress:
    """A lesson progress of an enrolled person, in a new lesson of their enrolled course (the
    same course for the same ``user=``, so nested lists show several rows), with its token."""
    enrollment = _enrollment_of(school, overrides.get("user"))
    lesson = LessonFactory(school=school, course=enrollment.course)
    progress = LessonProgressFactory(school=school, user=enrollment.user, lesson=lesson)
    ProgressToken.objects.create(school=school, lesson_progress=progress)
    return progress


def _course_progress(school: School, **overrides: Any) -> CourseProgress:
    """An enrolled person's course progress: a new enrollment each time, in ``course=`` when
    given (so a course's list of people shows several rows), else in a new course."""
    user, course = overrides.get("user"), overrides.get("course")
    fields: dict[str, Any] = {"user": user} if user else {}
    if course is not None:
        fields["published_course"] = PublishedCourseFactory(school=school, course=course)
    enrollment = EnrollmentFactory(school=school, **fields)
    return CourseProgressFactory(school=school, user=enrollment.user, course=enrollment.course)


def _published_course_id(row: models.Model) -> str:
    """A row's publication: its own, or (a lesson progress) its person's enrollment's."""
    if hasattr(row, "published_course_id"):
        return row.published_course_id
    return (
        Enrollment.objects.filter(user_id=row.user_id, course_id=row.lesson.course_id)
        .exclude(published_course=None)
        .values_list("published_course_id", flat=True)
        .first()
    )


TENANT_FACTORIES[LessonProgress] = _lesson_progress
TENANT_FACTORIES[CourseProgress] = _course_progress
PATH_KWARGS["published_course_id"] = _published_course_id


# Coursepath's members routes list people (``Member`` rows) under a course or a program, and
# courses under a person; a row's parent is made for it: every member of the row's school is
# enrolled (as the members API enrolls) in one course or program of that school, and a
# person in every course of the school.


def _enrolled_for_members(member: Member, factory_class, slug: str, enrollment_model, field):
    """A school's ``slug`` course or path, with every member of the school enrolled in it."""
    target = factory_class._meta.model.objects.filter(school=member.school, slug=slug).first()
    target = target or factory_class(school=member.school, slug=slug)
    enrolled = enrollment_model.objects.filter(**{field: target}).values("user_id")
    for other in Member.objects.filter(school=member.school).exclude(user_id__in=enrolled):
        enrollment_model.objects.create(
            school=member.school,
            user_id=other.user_id,
            enrolled_at=timezone.now(),
            source="members",
            **{field: target},
        )
    return target


def _members_course(member: Member) -> Course:
    return _enrolled_for_members(member, CourseFactory, "members-course", Enrollment, "course")


def _members_path(member: Member) -> Path:
    return _enrolled_for_members(member, PathFactory, "members-program", PathEnrollment, "path")


def _courses_member(course: Course) -> Member:
    member = Member.objects.filter(school=course.school, external_id="courses-member").first()
    member = member or MemberFactory(school=course.school, external_id="courses-member")
    for other in Course.objects.filter(school=course.school).exclude(enrollments__user=member.user):
        Enrollment.objects.create(
            school=course.school,
            user_id=member.user_id,
            course=other,
            enrolled_at=timezone.now(),
            source="members",
        )
    return member


def _by_row_type(name: str, special: type[models.Model], make: Callable) -> Callable:
    """A ``PATH_KWARGS`` entry for ``name`` that makes a parent for ``special`` rows and
    reads every other row's ``name`` as the route walk does."""

    def value(row: models.Model) -> str:
        from tests.core.api_routes import _resolve

        if isinstance(row, special):
            return make(row)
        found = _resolve(row, name)
        if found is None:
            raise AttributeError(f"cannot fill {name!r} from a {type(row).__name__}")
        return str(found)

    return value


PATH_KWARGS["course_id"] = _by_row_type("course_id", Member, lambda m: _members_course(m).pk)
PATH_KWARGS["path_id"] = _by_row_type("path_id", Member, lambda m: _members_path(m).pk)
PATH_KWARGS["user_id"] = _by_row_type("user_id", Course, lambda c: _courses_member(c).user_id)


class SyncReceiptFactory(DjangoModelFactory):
    class Meta:
        model = SyncReceipt

    school = factory.SubFactory(SchoolFactory)
    lesson_progress = factory.SubFactory(
        LessonProgressFactory, school=factory.SelfAttribute("..school")
    )
    user = factory.SelfAttribute("lesson_progress.user")
    client_id = factory.Sequence(lambda n: f"client-{n}")
    status = "applied"
    client_timestamp = factory.LazyFunction(timezone.now)


# --- enrollments: assignment submissions -----------------------------------------------------


class AssignmentSubmissionFactory(_LearnerRowFactory):
    """A text submission waiting for grading, by a new member, at an ASSIGNMENT lesson
    (``lesson=`` puts it in a given lesson)."""

    class Meta:
        model = AssignmentSubmission

    lesson = factory.SubFactory(
        LessonFactory, school=factory.SelfAttribute("..school"), type=LessonType.ASSIGNMENT
    )
    course = factory.SelfAttribute("lesson.course")
    text = "My answer to the assignment."
    submitted_at = factory.LazyFunction(timezone.now)


# --- commerce: offers ------------------------------------------------------------------------


class OfferFactory(DjangoModelFactory):
    """An offer on a published course of the school (pass ``published_course=None`` and
    another target to price a path or a bundle)."""

    class Meta:
        model = Offer

    school = factory.SubFactory(SchoolFactory)
    published_course = factory.SubFactory(
        PublishedCourseFactory, school=factory.SelfAttribute("..school")
    )
    price_cents = 10000
    currency_code = "USD"
    sku = factory.Sequence(lambda n: f"SKU-{n}")


# --- commerce: plans -------------------------------------------------------------------------


class PlanFactory(DjangoModelFactory):
    """A plan on a domain of the school (no courses: ``PlanCourseFactory`` adds them)."""

    class Meta:
        model = Plan

    school = factory.SubFactory(SchoolFactory)
    domain = factory.SubFactory(DomainFactory, school=factory.SelfAttribute("..school"))
    title = factory.Sequence(lambda n: f"Plan {n}")
    slug = factory.Sequence(lambda n: f"plan-{n}")


class PlanCourseFactory(DjangoModelFactory):
    class Meta:
        model = PlanCourse

    school = factory.SubFactory(SchoolFactory)
    plan = factory.SubFactory(PlanFactory, school=factory.SelfAttribute("..school"))
    course = factory.SubFactory(CourseFactory, school=factory.SelfAttribute("..school"))
    order = factory.Sequence(lambda n: n + 1)


class PlanEnrollmentFactory(_LearnerRowFactory):
    """A member's plan enrollment, made directly (``plan_enrollment_create`` also grants
    the plan's courses)."""

    class Meta:
        model = PlanEnrollment

    plan = factory.SubFactory(PlanFactory, school=factory.SelfAttribute("..school"))
    enrolled_at = factory.LazyFunction(timezone.now)


class PlanCourseGrantFactory(DjangoModelFactory):
    class Meta:
        model = PlanCourseGrant

    school = factory.SubFactory(SchoolFactory)
    plan_enrollment = factory.SubFactory(
        PlanEnrollmentFactory, school=factory.SelfAttribute("..school")
    )
    course = factory.SubFactory(CourseFactory, school=factory.SelfAttribute("..school"))


_domain_name_before_plans = PATH_KWARGS["domain_name"]


def _plan_domain_name(row: models.Model) -> str:
    """A plan enrollment's domain is its plan's."""
    if isinstance(row, PlanEnrollment):
        return row.plan.domain.name
    return _domain_name_before_plans(row)


PATH_KWARGS["domain_name"] = _plan_domain_name

# --- commerce: training credit codes and seats -----------------------------------------------


class TrainingCreditCodeFactory(DjangoModelFactory):
    """A code of 10 credits for every student and every offer with a credit value."""

    class Meta:
        model = TrainingCreditCode

    school = factory.SubFactory(SchoolFactory)
    training_credit_code = factory.Sequence(lambda n: f"CREDITS-{n}")
    credits_total = 10
    credits_remaining = factory.SelfAttribute("credits_total")
    available_to_all_students = True
    available_for_all_offers = True


class TrainingCreditSpendFactory(_LearnerRowFactory):
    """Credits of a code spent by a member of the school on an offer (the code's count is
    left as it is: build spends through ``training_credits_spend`` to move it)."""

    class Meta:
        model = TrainingCreditSpend

    code = factory.SubFactory(TrainingCreditCodeFactory, school=factory.SelfAttribute("..school"))
    offer = factory.SubFactory(
        OfferFactory, school=factory.SelfAttribute("..school"), training_credit_value=1
    )
    credits = 1


class SeatOfferingFactory(_LearnerRowFactory):
    """Five seats on an offer of a published course, bought by a member of the school."""

    class Meta:
        model = SeatOffering

    offer = factory.SubFactory(OfferFactory, school=factory.SelfAttribute("..school"))
    seats = 5


class SeatAssignmentFactory(_LearnerRowFactory):
    """A member of the school on a seat (the seat counted in ``seats_used``)."""

    class Meta:
        model = SeatAssignment

    seat_offering = factory.SubFactory(
        SeatOfferingFactory, school=factory.SelfAttribute("..school"), seats_used=1
    )


# --- commerce: affiliates and leads ----------------------------------------------------------


class AffiliateFactory(_LearnerRowFactory):
    """A member of the school made an affiliate (20 %, 30 days' hold)."""

    class Meta:
        model = Affiliate


class AffiliateCommissionFactory(DjangoModelFactory):
    """What a referred customer's purchase earned an affiliate, payable in 30 days."""

    class Meta:
        model = AffiliateCommission

    school = factory.SubFactory(SchoolFactory)
    affiliate = factory.SubFactory(AffiliateFactory, school=factory.SelfAttribute("..school"))
    customer = factory.LazyAttribute(lambda o: MemberFactory(school=o.school).user)
    purchase_id = factory.Sequence(lambda n: f"pur_{n:026d}")
    sale_cents = 10000
    commission_cents = 2000
    currency_code = "USD"
    earned_at = factory.LazyFunction(timezone.now)
    payable_at = factory.LazyAttribute(lambda o: o.earned_at + timedelta(days=30))


class LeadFactory(_LearnerRowFactory):
    """A member of the school an affiliate referred, who bought (a customer, so every list
    of leads shows it); ``bought=False`` for a lead without a purchase."""

    class Meta:
        model = Lead
        skip_postgeneration_save = True

    affiliate = factory.SubFactory(AffiliateFactory, school=factory.SelfAttribute("..school"))
    email = factory.LazyAttribute(lambda o: o.user.email)

    @factory.post_generation
    def bought(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False:
            AffiliateCommissionFactory(
                school=self.school, affiliate=self.affiliate, customer=self.user
            )


PATH_KWARGS["affiliate_user_id"] = lambda row: row.affiliate.user_id

# --- commerce: purchases, payments -----------------------------------------------------------


class PurchaseFactory(_LearnerRowFactory):
    """A PENDING purchase of a new offer by a new member, at the offer's price (pass
    ``state=`` and amounts to describe another; fulfil it through the service)."""

    class Meta:
        model = Purchase

    offer = factory.SubFactory(OfferFactory, school=factory.SelfAttribute("..school"))
    currency_code = factory.SelfAttribute("offer.currency_code")
    offer_price_cents = factory.SelfAttribute("offer.price_cents")
    price_cents = factory.SelfAttribute("offer.price_cents")
    order_id = factory.Sequence(lambda n: f"ORD-TEST-{n}")
    purchased_at = factory.LazyFunction(timezone.now)


class PaymentFactory(_LearnerRowFactory):
    """The payment of a purchase of the same school and buyer."""

    class Meta:
        model = Payment

    purchase = factory.SubFactory(
        PurchaseFactory,
        school=factory.SelfAttribute("..school"),
        user=factory.SelfAttribute("..user"),
        state="SUCCESS",
    )
    amount_cents = factory.SelfAttribute("purchase.price_cents")
    currency_code = factory.SelfAttribute("purchase.currency_code")
    paid_at = factory.LazyFunction(timezone.now)


class InvoiceCounterFactory(DjangoModelFactory):
    class Meta:
        model = InvoiceCounter

    school = factory.SubFactory(SchoolFactory)


# --- commerce: promo codes -------------------------------------------------------------------


class PromoCodePoolFactory(DjangoModelFactory):
    """A 20%-off pool valid from a day ago, without offers (add them with ``offers``)."""

    class Meta:
        model = PromoCodePool
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Promotion {n}")
    discount_type = DiscountType.PERCENT_OFF
    percent_off = 20
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    @factory.post_generation
    def offers(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.offers.add(*extracted)


class PromoCodeFactory(DjangoModelFactory):
    """A code of a pool of the same school, usable 10 times."""

    class Meta:
        model = PromoCode

    school = factory.SubFactory(SchoolFactory)
    pool = factory.SubFactory(PromoCodePoolFactory, school=factory.SelfAttribute("..school"))
    code = factory.Sequence(lambda n: f"CODE-{n}")
    max_uses = 10


class PromoCodeRedemptionFactory(DjangoModelFactory):
    """One anonymous use of a code of the same school (the service counts real ones)."""

    class Meta:
        model = PromoCodeRedemption

    school = factory.SubFactory(SchoolFactory)
    code = factory.SubFactory(PromoCodeFactory, school=factory.SelfAttribute("..school"))
    pool = factory.SelfAttribute("code.pool")
    price_cents_before = 1000
    price_cents_after = 800
    currency_code = "USD"


def _pool_of_offer(offer: Offer) -> str:
    """A pool holding the offer's school's offers (a list of a pool's offers then shows
    every offer the test made)."""
    pool = PromoCodePoolFactory(school=offer.school)
    pool.offers.add(*Offer.objects.filter(school=offer.school))
    return pool.pk


PATH_KWARGS["promo_code_pool_id"] = _by_row_type("promo_code_pool_id", Offer, _pool_of_offer)

# --- commerce: subscriptions -----------------------------------------------------------------


class SubscriptionPlanFactory(DjangoModelFactory):
    """A monthly plan of the school, giving no course unless ``published_courses`` is set."""

    class Meta:
        model = SubscriptionPlan
        skip_postgeneration_save = True

    school = factory.SubFactory(SchoolFactory)
    title = factory.Sequence(lambda n: f"Plan {n}")
    interval = "month"
    interval_count = 1
    price_cents = 2900
    currency_code = "USD"
    trial_days = 0

    @factory.post_generation
    def published_courses(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            self.published_courses.set(extracted)


class UserSubscriptionFactory(_LearnerRowFactory):
    """An active subscription of a user of the school, in its first month (a row only: no
    enrollment is granted; subscribe through ``subscription_create`` for that)."""

    class Meta:
        model = UserSubscription

    plan = factory.SubFactory(SubscriptionPlanFactory, school=factory.SelfAttribute("..school"))
    status = SubscriptionStatus.ACTIVE
    current_period_start = factory.LazyFunction(timezone.now)
    current_period_end = factory.LazyAttribute(
        lambda o: o.current_period_start + timedelta(days=30)
    )
    billing_anchor = factory.SelfAttribute("current_period_start")


class InstallmentFactory(DjangoModelFactory):
    """The next, scheduled installment of an active subscription of the school."""

    class Meta:
        model = Installment

    school = factory.SubFactory(SchoolFactory)
    subscription = factory.SubFactory(
        UserSubscriptionFactory, school=factory.SelfAttribute("..school")
    )
    sequence = 1
    period_start = factory.SelfAttribute("subscription.current_period_end")
    period_end = factory.LazyAttribute(lambda o: o.period_start + timedelta(days=30))
    due_at = factory.SelfAttribute("period_start")
    amount_cents = 2900
    currency_code = "USD"
    payment_processor = "manual"


class SubscriptionGrantFactory(DjangoModelFactory):
    """A course enrollment an active subscription of the school made."""

    class Meta:
        model = SubscriptionGrant

    school = factory.SubFactory(SchoolFactory)
    subscription = factory.SubFactory(
        UserSubscriptionFactory, school=factory.SelfAttribute("..school")
    )
    published_course = factory.SubFactory(
        PublishedCourseFactory, school=factory.SelfAttribute("..school")
    )
    enrollment = factory.SubFactory(
        EnrollmentFactory,
        school=factory.SelfAttribute("..school"),
        user=factory.SelfAttribute("..subscription.user"),
        published_course=factory.SelfAttribute("..published_course"),
    )


# --- commerce: products of users --------------------------------------------------------------


class BundleEnrollmentFactory(_LearnerRowFactory):
    """A member of the school holding a bundle of the school (no course enrollments)."""

    class Meta:
        model = BundleEnrollment

    bundle = factory.SubFactory(BundleFactory, school=factory.SelfAttribute("..school"))
    enrolled_at = factory.LazyFunction(timezone.now)


# ``users/{id}/enrollment`` names its product by ``product_type`` + ``product_id``; the
# tenancy test sends another school's published course as a ``course``.
ID_FIELD_MODELS["product_id"] = PublishedCourse
for _method in ("POST", "DELETE"):
    BODY_BASES[f"{_method} /api/v1/users/{{user_id}}/enrollment/"] = lambda school: {
        "product_type": "course"
    }
# A lead is an e-mail (and, optionally, the person's user).
BODY_BASES["POST /api/v1/affiliates/{affiliate_user_id}/leads/"] = lambda school: {
    "email": "referred@example.test"
}


# --- community: collections, spaces, members, notifications -----------------------------------


def _school_account(school: School) -> User:
    """A new person of ``school`` (an account with its membership row)."""
    return MemberFactory(school=school).user


class CollectionFactory(DjangoModelFactory):
    class Meta:
        model = Collection

    school = factory.SubFactory(SchoolFactory)
    title = factory.Sequence(lambda n: f"Collection {n}")


class SpaceFactory(DjangoModelFactory):
    """A public space of the school (pass ``visibility`` for a private or secret one)."""

    class Meta:
        model = Space

    school = factory.SubFactory(SchoolFactory)
    title = factory.Sequence(lambda n: f"Space {n}")
    visibility = Space.Visibility.PUBLIC


class SpaceMemberFactory(DjangoModelFactory):
    """An active member of a space of the school (a new person unless ``user`` is given)."""

    class Meta:
        model = SpaceMember

    school = factory.SubFactory(SchoolFactory)
    space = factory.SubFactory(SpaceFactory, school=factory.SelfAttribute("..school"))
    user = factory.LazyAttribute(lambda row: _school_account(row.school))
    status = SpaceMember.Status.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    school = factory.SubFactory(SchoolFactory)
    user = factory.LazyAttribute(lambda row: _school_account(row.school))
    kind = "space.invitation"
    object_id = factory.Sequence(lambda n: f"spc_{n:026d}")
    text = factory.Sequence(lambda n: "You are invited to join the space “Space {n}”.")


# --- community: cohorts ------------------------------------------------------------------------


class CohortFactory(DjangoModelFactory):
    """A cohort of a new course of the school, with its private space linked to the course
    (no members: add them with ``CohortMemberFactory`` or ``cohort_members_add``)."""

    class Meta:
        model = Cohort

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Cohort {n}")
    course = factory.SubFactory(CourseFactory, school=factory.SelfAttribute("..school"))
    start_date = factory.LazyFunction(lambda: timezone.localdate())
    space = factory.SubFactory(
        SpaceFactory,
        school=factory.SelfAttribute("..school"),
        title=factory.SelfAttribute("..name"),
        visibility=Space.Visibility.PRIVATE,
        course=factory.SelfAttribute("..course"),
    )


class CohortMemberFactory(DjangoModelFactory):
    """A member of a cohort of the school (a new person unless ``user`` is given); neither
    enrolled nor in the cohort's space: the service does that."""

    class Meta:
        model = CohortMember

    school = factory.SubFactory(SchoolFactory)
    cohort = factory.SubFactory(CohortFactory, school=factory.SelfAttribute("..school"))
    user = factory.LazyAttribute(lambda row: _school_account(row.school))


# --- community: posts, comments, reactions, reports -------------------------------------------


class PostFactory(DjangoModelFactory):
    """A post in a public space of the school, by a new person of the school."""

    class Meta:
        model = Post

    school = factory.SubFactory(SchoolFactory)
    space = factory.SubFactory(SpaceFactory, school=factory.SelfAttribute("..school"))
    author = factory.LazyAttribute(lambda row: _school_account(row.school))
    title = factory.Sequence(lambda n: f"Post {n}")
    body = "<p>What do you check before the first lift?</p>"


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    school = factory.SubFactory(SchoolFactory)
    post = factory.SubFactory(PostFactory, school=factory.SelfAttribute("..school"))
    author = factory.LazyAttribute(lambda row: _school_account(row.school))
    body = factory.Sequence(lambda n: f"<p>Comment {n}</p>")


class ReactionFactory(DjangoModelFactory):
    class Meta:
        model = Reaction

    school = factory.SubFactory(SchoolFactory)
    post = factory.SubFactory(PostFactory, school=factory.SelfAttribute("..school"))
    user = factory.LazyAttribute(lambda row: _school_account(row.school))
    # Rows made one after the other differ in kind too (a kind is also the route's lookup).
    kind = factory.Sequence(lambda n: Reaction.Kind.values[n % len(Reaction.Kind.values)])


class PostReportFactory(DjangoModelFactory):
    class Meta:
        model = PostReport

    school = factory.SubFactory(SchoolFactory)
    post = factory.SubFactory(PostFactory, school=factory.SelfAttribute("..school"))
    reporter = factory.LazyAttribute(lambda row: _school_account(row.school))
    reason = "Off topic"
