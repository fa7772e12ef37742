import django_filters

from apps.core.filters import UtcIsoDateTimeFilter
from apps.core.models import Event


class EventFilter(django_filters.FilterSet):
    type = django_filters.CharFilter(field_name="type")
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Event
        fields = ["type", "created_after", "created_before"]
