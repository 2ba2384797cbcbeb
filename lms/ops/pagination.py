"""One page of an admin list, for templates/includes/admin_pagination.html."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def admin_page(
    request: HttpRequest, items: Any, *, param: str = "p", anchor: str = ""
) -> dict[str, Any]:
    """The page the request asks for by `param`, with links that keep every other parameter.

    Several lists on one page each take their own `param`, so paging one keeps the
    others where they were; `anchor` brings the reader back to the list they paged.
    """
    paginator = Paginator(items, PAGE_SIZE)
    page = paginator.get_page(request.GET.get(param))
    fragment = f"#{anchor}" if anchor else ""

    def url(number: int) -> str:
        query = request.GET.copy()
        query[param] = str(number)
        return f"?{query.urlencode()}{fragment}"

    return {
        "page": page,
        "items": list(page.object_list),
        "count": paginator.count,
        "is_paginated": paginator.num_pages > 1,
        "previous_url": url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": url(page.next_page_number()) if page.has_next() else "",
        "numbers": [
            (number, url(number) if isinstance(number, int) else "")
            for number in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ],
    }
