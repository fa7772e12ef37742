import django_filters

from apps.core.filters import DateTimeFilter, FilterSet
from apps.webhooks import event_types
from apps.webhooks.models import Delivery

EVENT_TYPE_CHOICES = [(t.name, t.name) for t in event_types.EVENT_TYPES] + [
    (alias, alias) for alias in event_types.BY_ALIAS
]


class DeliveryFilter(FilterSet):
    """Filters on a webhook's delivery log."""

    status = django_filters.ChoiceFilter(choices=Delivery.Status.choices)
    event_type = django_filters.ChoiceFilter(choices=EVENT_TYPE_CHOICES, method="filter_event_type")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Delivery
        fields = ["status", "event_type", "created_after", "created_before"]

    def filter_event_type(self, queryset, name: str, value: str):
        found = event_types.BY_ALIAS.get(value)
        return queryset.filter(event_type=found.name if found else value)
