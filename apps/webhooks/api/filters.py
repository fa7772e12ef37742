from apps.core.filters import ChoiceFilter, DateTimeFilter, FilterSet
from apps.webhooks import event_types
from apps.webhooks.models import Delivery


def event_type_choices() -> list[tuple[str, str]]:
    """Registered dotted names and Skilljar aliases (read when the filter is built)."""
    types = event_types.advertised()
    return [(t.name, t.name) for t in types] + [(t.alias, t.alias) for t in types if t.alias]


class DeliveryFilter(FilterSet):
    """Filters on a webhook's delivery log."""

    status = ChoiceFilter(choices=Delivery.Status.choices)
    event_type = ChoiceFilter(choices=event_type_choices, method="filter_event_type")
    created_after = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = DateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Delivery
        fields = ["status", "event_type", "created_after", "created_before"]

    def filter_event_type(self, queryset, name: str, value: str):
        found = event_types.by_alias(value)
        return queryset.filter(event_type=found.name if found else value)
