import re

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

_DIGITS = re.compile(r"[0-9]{1,18}")


class StandardPagination(PageNumberPagination):
    """DRF's page numbers, strict about junk: `page` and `page_size` are whole numbers from 1, or
    the request answers 400 naming the parameter (DRF would silently ignore a bad `page_size` and
    answer a bad `page` with 404). A page past the end is still 404, as in DRF."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def _number(self, request, name: str) -> int | None:
        raw = request.query_params.get(name)
        if raw in (None, ""):
            return None
        if not _DIGITS.fullmatch(raw) or int(raw) < 1:
            raise ValidationError({name: [_("Give a whole number from 1.")]})
        return int(raw)

    def get_page_size(self, request) -> int:
        size = self._number(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self._number(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
        return parameters
