"""The events the catalog emits, declared by area (registered in ``CatalogConfig.ready``)."""

from apps.catalog.event_types import content, courses, live, paths, publishing

EVENT_TYPES = (
    courses.EVENT_TYPES
    + content.EVENT_TYPES
    + paths.EVENT_TYPES
    + publishing.EVENT_TYPES
    + live.EVENT_TYPES
)
