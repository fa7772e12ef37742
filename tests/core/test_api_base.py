"""The sealed ``SchoolScopedViewSet``: what a subclass may not do, and declared parents."""

from types import SimpleNamespace

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.catalog.models import PublishedCourse
from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.core.credentials import Credential
from apps.core.errors import NotFound
from apps.schools.models import Group
from tests.factories import DomainFactory, PublishedCourseFactory


@pytest.mark.parametrize("name", ["get_queryset", "get_object", "get_permissions"])
def test_subclass_overriding_a_sealed_method_is_refused(name):
    # given
    body = {name: lambda self: None}

    # when / then
    with pytest.raises(ImproperlyConfigured, match=f"overrides {name}"):
        type("LeakyViewSet", (SchoolScopedViewSet,), body)


def test_subclass_of_a_subclass_overriding_a_sealed_method_is_refused():
    # given
    class Narrowing(SchoolScopedViewSet):
        queryset = Group.objects.all()

    # when / then
    with pytest.raises(ImproperlyConfigured, match="overrides get_queryset"):

        class Leaky(Narrowing):
            def get_queryset(self):
                return Group.objects.all()


def test_parents_are_listed_outermost_first_across_the_class_hierarchy():
    # given
    class Outer(SchoolScopedViewSet):
        group = Parent(Group.objects.all(), url_kwarg="group_id")

    class Inner(Outer):
        member = Parent(Group.objects.all(), url_kwarg="user_id", within="group")

    # when
    parents = Inner.parents()

    # then
    assert [(parent.name, parent.url_kwarg) for parent in parents] == [
        ("group", "group_id"),
        ("member", "user_id"),
    ]


@pytest.mark.django_db
def test_a_resolved_parent_and_the_rows_loaded_with_it_carry_the_callers_school(
    school, django_assert_num_queries
):
    # given: a publication of the caller's school, read as a parent with its course and domain
    published = PublishedCourseFactory(school=school, domain=DomainFactory(school=school))
    parent = Parent(
        PublishedCourse.objects.select_related("course", "domain"), url_kwarg="published_id"
    )
    credential = Credential(kind="api_key", school=school, scopes=frozenset())
    view = SimpleNamespace(
        request=SimpleNamespace(auth=credential), kwargs={"published_id": published.pk}
    )
    # when / then: one statement, and each row's school is the caller's, not read again
    with django_assert_num_queries(1):
        found = parent.resolve(view)
        assert found.school is school
        assert found.course.school is school
        assert found.domain.school is school


@pytest.mark.django_db
def test_a_parent_of_another_school_is_not_found(school, other_school):
    published = PublishedCourseFactory(
        school=other_school, domain=DomainFactory(school=other_school)
    )
    parent = Parent(PublishedCourse.objects.all(), url_kwarg="published_id")
    credential = Credential(kind="api_key", school=school, scopes=frozenset())
    view = SimpleNamespace(
        request=SimpleNamespace(auth=credential), kwargs={"published_id": published.pk}
    )
    with pytest.raises(NotFound):
        parent.resolve(view)
