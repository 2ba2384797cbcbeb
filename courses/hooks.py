"""The two Wagtail hooks through which the learning domain takes part in course pages.

Courses never import `lms`: the learning domain registers functions under these names
(in `lms/learner/wagtail_hooks.py`) and the pages call whatever is registered.

`ACCESS_HOOK`        fn(user, course_page) -> bool. A course is listed only when every
                     registered function says yes — and when none is registered, nobody
                     is shown anything (closed by default). Serving a page is guarded
                     separately by the learning domain's `before_serve_page` hook.
`PAGE_CONTEXT_HOOK`  fn(request, page, context) -> dict | None, merged into the template
                     context of course index, course and lesson pages (progress facts,
                     quiz papers and attempts, the URLs of the learner views).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from wagtail import hooks

ACCESS_HOOK = "onramp_can_view_course"
PAGE_CONTEXT_HOOK = "onramp_course_page_context"


def can_view_course(user: Any, course: Any) -> bool:
    checks = hooks.get_hooks(ACCESS_HOOK)
    return bool(checks) and all(check(user, course) for check in checks)


def add_page_context(request: HttpRequest, page: Any, context: dict[str, Any]) -> dict[str, Any]:
    for fn in hooks.get_hooks(PAGE_CONTEXT_HOOK):
        extra = fn(request, page, context)
        if extra:
            context.update(extra)
    return context
