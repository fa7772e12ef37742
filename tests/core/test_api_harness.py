"""The route and body walkers the generic tenancy tests rely on find what they must."""

import pytest
from rest_framework import serializers

from apps.schools.models import Member, Tag
from tests.core import api_bodies, api_routes
from tests.factories import MemberFactory

pytestmark = pytest.mark.django_db


class _Nested(serializers.Serializer):
    tag = serializers.PrimaryKeyRelatedField(queryset=Tag.objects.all())


class _Body(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    tags = serializers.PrimaryKeyRelatedField(queryset=Tag.objects.all(), many=True)
    nested = _Nested()
    listed = serializers.ListField(child=_Nested())
    many = _Nested(many=True)
    deep = serializers.ListField(child=serializers.ListField(child=serializers.CharField()))
    course_id = serializers.CharField()
    name = serializers.CharField()
    readonly = serializers.PrimaryKeyRelatedField(read_only=True)


def test_body_walker_finds_related_fields_nested_and_many():
    # when
    found = {name: api_bodies._reference(field) for name, field in api_bodies._fields(_Body())}

    # then
    assert found["member"] == (Member, False)
    assert found["tags"] == (Tag, True)
    assert found["nested.tag"] == (Tag, False)
    assert found["listed[].tag"] == (Tag, False)
    assert found["many[].tag"] == (Tag, False)
    assert found["course_id"] == (None, False)
    assert "readonly" not in found


def test_body_walker_sees_the_users_create_body():
    # when
    names = {f.name for f in api_bodies.body_fields() if f.operation == "POST /api/v1/users/"}

    # then
    assert {"email", "first_name", "tags", "metadata", "external_id"} <= names


def test_nest_builds_dotted_bodies():
    assert api_bodies.nest("a.b.c", 1) == {"a": {"b": {"c": 1}}}


def test_nest_builds_lists_of_objects():
    assert api_bodies.nest("a[].b", 1) == {"a": [{"b": 1}]}
    assert api_bodies.nest("a.b[].c[].d", 1) == {"a": {"b": [{"c": [{"d": 1}]}]}}


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("signup_fields.0.id", True),
        ("signup_fields.12.id", True),
        ("signup_fields.0.id.extra", True),
        ("signup_fields", False),
        ("signup_fields.0.value", False),
        ("signup_fields.x.id", False),
    ],
)
def test_a_list_field_names_the_errors_of_its_items(key, named):
    # given
    field = api_bodies.BodyField(
        method="POST",
        path="/x",
        view_class=object,
        name="signup_fields[].id",
        many=False,
        model=None,
        field=serializers.CharField(),
    )

    # then
    assert field.names_error(key) is named


def test_body_walker_sees_ids_in_lists_of_objects():
    # when
    names = {f.name: f.model for f in api_bodies.reference_fields()}

    # then: POST .../signup-fields-bulk takes {"signup_fields": [{"id", "value"}]}
    assert "signup_fields[].id" in names


def test_route_walker_finds_users_routes_with_their_methods():
    # when
    routes = {route.name: route for route in api_routes.viewset_routes()}

    # then
    assert routes["user-detail"].methods() == ["get", "patch", "put"]
    assert routes["user-detail"].is_detail
    assert routes["user-anonymize"].methods() == ["post"]
    assert not routes["user-list"].is_detail


def test_path_values_follow_attributes_and_relations(school):
    # given
    member = MemberFactory(school=school)

    # then
    assert api_routes.path_value(member, "user_id") == member.user_id
    assert api_routes.path_value(member, "school_slug") == "alpha"
    with pytest.raises(AttributeError):
        api_routes.path_value(member, "course_name")


def test_api_ids_of_a_member_include_its_user_id(school):
    # given
    member = MemberFactory(school=school)

    # then
    assert {member.user_id, member.pk} <= api_routes.api_ids(member)
