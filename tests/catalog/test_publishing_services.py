import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast

from apps.catalog.models import PublishedCourse, PublishedPath
from apps.catalog.selectors.publishing import published_course_search, published_path_search
from apps.catalog.services import courses as course_services
from apps.catalog.services import lessons as lesson_services
from apps.catalog.services import paths as path_services
from apps.catalog.services import publishing as publishing_services
from apps.catalog.services.search import (
    plain_text,
    published_course_search_refresh,
    published_course_search_refresh_many,
)
from apps.core.models import Event
from tests.factories import (
    CourseFactory,
    CourseSeriesFactory,
    DomainFactory,
    PathFactory,
    PathItemFactory,
)

pytestmark = pytest.mark.django_db


def _search(term: str) -> list[str]:
    return [row.course.title for row in published_course_search(PublishedCourse.objects, term)]


def _publish(school, domain, **course_fields) -> PublishedCourse:
    course = CourseFactory(school=school, **course_fields)
    return publishing_services.course_publish(domain=domain, course=course)


@pytest.mark.postgres
def test_search_ranks_title_over_description_over_lesson_content(school):
    # given: "crane" in a lesson, in a description, in a title (created in that order)
    domain = DomainFactory(school=school)
    in_lesson = _publish(school, domain, title="Lifting")
    lesson_services.lesson_create(
        course=in_lesson.course, type="HTML", title="Using a crane", search_keywords="crane"
    )
    _publish(school, domain, title="Loads", short_description="Rigging a crane hook")
    _publish(school, domain, title="Crane operation")
    _publish(school, domain, title="Unrelated")

    # when
    found = _search("cranes")  # stemmed: "cranes" finds "crane"

    # then
    assert found == ["Crane operation", "Loads", "Lifting"]


@pytest.mark.postgres
def test_search_document_follows_course_and_lesson_writes(school):
    # given
    domain = DomainFactory(school=school)
    published = _publish(school, domain, title="Warehouse")
    lesson = lesson_services.lesson_create(course=published.course, type="HTML", title="Intro")
    assert _search("pallet") == []

    # when: the lesson and then the course change
    lesson_services.lesson_update(lesson=lesson, search_keywords="pallet jack")
    found_after_lesson = _search("pallet")
    course_services.course_update(course=published.course, title="Docks")

    # then
    assert found_after_lesson == ["Warehouse"]
    assert _search("docks") == ["Docks"]
    assert _search("warehouse") == []


@pytest.mark.postgres
def test_path_search_weighs_title_and_ignores_items(school):
    # given
    domain = DomainFactory(school=school)
    titled = path_services.path_create(school=school, title="Safety first")
    described = path_services.path_create(
        school=school, title="Basics", short_description="General safety"
    )
    with_item = path_services.path_create(school=school, title="Other")
    path_services.path_item_create(
        path=with_item, course=CourseFactory(school=school, title="Safety")
    )
    for path in (described, titled, with_item):
        publishing_services.path_publish(domain=domain, path=path)

    # when
    found = [p.path.title for p in published_path_search(PublishedPath.objects, "safety")]

    # then
    assert found == ["Safety first", "Basics"]


def _documents(domain) -> dict[str, str]:
    """Each publication's search document on ``domain``, as text."""
    rows = PublishedCourse.objects.filter(domain=domain).annotate(
        document=Cast("search_vector", TextField())
    )
    return dict(rows.values_list("id", "document"))


@pytest.mark.postgres
def test_bulk_refresh_writes_the_documents_the_services_write(school):
    # given two publications written by the services (a section, lessons, keywords)
    domain = DomainFactory(school=school)
    first = _publish(
        school, domain, title="Cranes", long_description_html="<p>Big <b>hooks</b></p>"
    )
    lesson_services.lesson_create(course=first.course, type="SECTION", title="Part one")
    lesson_services.lesson_create(
        course=first.course,
        type="HTML",
        title="Slinging",
        search_keywords="rigging",
        description_html="<p>Check the <em>shackle</em></p>",
    )
    second = _publish(school, domain, title="Docks")
    publishing_services.published_course_update(published_course=second, search_keywords="bay")
    written = _documents(domain)
    PublishedCourse.objects.filter(domain=domain).update(search_vector=None)

    # when
    rewritten = published_course_search_refresh_many(course_ids=[first.course_id, second.course_id])

    # then
    assert rewritten == 2
    assert _documents(domain) == written
    assert "shackl" in written[first.id]
    assert "bay" in written[second.id]


@pytest.mark.postgres
def test_seed_bench_search_loads_searchable_courses_as_the_services_index_them(school):
    # given
    domain = DomainFactory(school=school, name="bench.example.com")

    # when: 1,200 courses, so "forklift" is in two titles, two descriptions and two lessons
    call_command(
        "seed_bench_search", "--courses", "1200", "--school", school.slug, "--domain", domain.name
    )
    call_command(  # a second run leaves the domain as it is
        "seed_bench_search", "--courses", "1200", "--school", school.slug, "--domain", domain.name
    )

    # then
    published = PublishedCourse.objects.filter(domain=domain)
    assert published.count() == 1200
    assert published.filter(search_vector__isnull=True).count() == 0
    found = list(published_course_search(published, "forklift").select_related("course"))
    assert len(found) == 6
    assert [row.course.title.startswith("Forklift") for row in found] == [True] * 2 + [False] * 4
    seeded = _documents(domain)
    for row in found:
        published_course_search_refresh(course=row.course)
    assert _documents(domain) == seeded


def test_seed_bench_search_refuses_another_schools_domain(school, other_school):
    # given
    DomainFactory(school=other_school, name="theirs.example.com")

    # when / then
    with pytest.raises(CommandError, match="another school"):
        call_command(
            "seed_bench_search",
            "--courses",
            "3",
            "--school",
            school.slug,
            "--domain",
            "theirs.example.com",
        )
    assert not PublishedCourse.objects.filter(domain__name="theirs.example.com").exists()


def test_publish_and_unpublish_emit_events(school):
    domain = DomainFactory(school=school, name="learn.example.com")
    published = _publish(school, domain, title="Forklifts", slug="forklifts")

    publishing_services.course_unpublish(published_course=published)

    events = list(Event.objects.filter(school=school).order_by("id").values_list("type", "payload"))
    published_events = [e for e in events if e[0].startswith("course.") and "publish" in e[0]]
    assert [kind for kind, _ in published_events] == ["course.published", "course.unpublished"]
    assert published_events[0][1]["course_url"] == "https://learn.example.com/forklifts"


def test_deleting_a_series_keeps_its_courses_published(school):
    domain = DomainFactory(school=school)
    series = CourseSeriesFactory(school=school, domain=domain)
    published = publishing_services.course_publish(
        domain=domain, course=CourseFactory(school=school), course_series=series
    )

    publishing_services.course_series_delete(course_series=series)

    published.refresh_from_db()
    assert published.course_series_id is None


def test_path_items_stay_gap_free_when_removed_and_moved(school):
    # given
    path = PathFactory(school=school)
    items = [PathItemFactory(school=school, path=path) for _ in range(4)]

    # when
    path_services.path_item_delete(path_item=items[1])
    path_services.path_item_update(path_item=items[3], order=1)

    # then
    orders = [(i.id, i.order) for i in path.items.order_by("order")]
    assert orders == [(items[3].id, 1), (items[0].id, 2), (items[2].id, 3)]


def test_plain_text_drops_tags_not_words():
    assert plain_text("<p>Fork<b>lift</b> &amp; <script>x</script>crane</p>") == "Forklift & crane"


@pytest.mark.postgres
def test_search_documents_have_gin_indexes():
    # when
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
            [["catalog_pubcourse_search", "catalog_pubpath_search"]],
        )
        found = dict(cursor.fetchall())

    # then
    assert set(found) == {"catalog_pubcourse_search", "catalog_pubpath_search"}
    assert all("USING gin (search_vector)" in definition for definition in found.values())
