"""Admin searches (what autocomplete widgets page through) come back in a total order."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from apps.core.admin import SchoolScopedAdmin
from tests.factories import UserFactory

SCOPED_ADMINS = [
    pytest.param(model_admin, id=model._meta.label)
    for model, model_admin in admin.site._registry.items()
    if isinstance(model_admin, SchoolScopedAdmin)
]


@pytest.mark.parametrize("model_admin", SCOPED_ADMINS)
@pytest.mark.django_db
def test_every_school_admin_search_is_ordered(model_admin):
    # given: an operator searching, as an autocomplete widget does
    request = RequestFactory().get("/admin/autocomplete/")
    request.user = UserFactory(school=None, is_staff=True, is_superuser=True)
    # when
    queryset, _ = model_admin.get_search_results(request, model_admin.get_queryset(request), "")
    # then: even an admin whose rows carry a count (a GROUP BY) is read in order
    assert " ORDER BY " in str(queryset.query)
