from django_filters import CharFilter

from apps.core.filters import DateTimeFilter, FilterSet
from apps.core.models import Event


class EventFilter(FilterSet):
    type = CharFilter(field_name="type")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Event
        fields = ["type", "created_after", "created_before"]
