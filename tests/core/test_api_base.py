"""The sealed ``SchoolScopedViewSet``: what a subclass may not do, and declared parents."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from apps.core.api.base import Parent, SchoolScopedViewSet
from apps.schools.models import Group


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
