from unittest import mock

import pytest
from django.db.models import QuerySet

from apps.core.errors import Conflict
from apps.schools.groups import group_category_create
from apps.schools.models import GroupCategory
from tests.factories import GroupCategoryFactory


@pytest.mark.django_db
def test_category_created_meanwhile_under_the_same_name_is_409(school):
    # given: the duplicate check passes because the other category is saved just after it
    GroupCategoryFactory(school=school, name="Regions")

    # when
    with (
        mock.patch.object(QuerySet, "exists", return_value=False),
        pytest.raises(Conflict) as raised,
    ):
        group_category_create(school=school, name="Regions")

    # then
    assert raised.value.code == "group_category_name_taken"
    assert GroupCategory.objects.filter(school=school).count() == 1
