"""``page``/``page_size`` pagination with per-view default and maximum page sizes."""

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """``{count, next, previous, results}``; a bad page is 404, a page_size out of range is
    clamped to 1..max, and a page_size that is not a number is 400 naming it.

    Views set ``page_size`` (default) and ``max_page_size`` (the seed's 100 or 1000).
    """

    page_size_query_param = "page_size"
    page_size_query_description = (
        "Results per page, from 1 to the list's maximum (values outside are clamped)."
    )
    page_size = 100
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        self.page_size = getattr(view, "page_size", type(self).page_size)
        self.max_page_size = getattr(view, "max_page_size", type(self).max_page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or not raw.strip():
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            raise ValidationError(
                {self.page_size_query_param: [f"{raw!r} is not a whole number."]}
            ) from None
        return max(1, min(size, self.max_page_size))

    invalid_page_message = "page: {page_number} is not a valid page ({message})."

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param, 1)
        if raw in self.last_page_strings:
            return paginator.num_pages
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise NotFound(f"page: {raw!r} is not a page number.") from None
        if number < 1:
            raise NotFound("page: page numbers start at 1.")
        return number
