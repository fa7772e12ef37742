import django_filters

from apps.core.filters import ChoiceFilter, FilterSet
from apps.schools.models import Member


class UserFilter(FilterSet):
    """Filters on ``GET /api/v1/users``; names follow Skilljar (first/last name case-sensitive)."""

    email = django_filters.CharFilter(field_name="user__email", lookup_expr="iexact")
    first_name = django_filters.CharFilter(field_name="user__first_name")
    last_name = django_filters.CharFilter(field_name="user__last_name")
    external_id = django_filters.CharFilter()
    company = django_filters.CharFilter()
    department = django_filters.CharFilter()
    country = django_filters.CharFilter()
    role = ChoiceFilter(choices=Member.Role.choices)
    status = ChoiceFilter(choices=Member.Status.choices)
    tag = django_filters.CharFilter(field_name="tags__name", distinct=False)

    class Meta:
        model = Member
        fields = [
            "email",
            "first_name",
            "last_name",
            "external_id",
            "company",
            "department",
            "country",
            "role",
            "status",
            "tag",
        ]
