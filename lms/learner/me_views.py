"""The learner's own pages: transcript, completion certificates, profile."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lms.org.selectors import employee_for_user, employee_profile_for
from lms.paths.models import Enrolment, EnrolmentItem
from lms.progress.selectors import transcript_for


def _employee_or_404(request: HttpRequest):  # type: ignore[no-untyped-def]
    employee = employee_for_user(request.user)
    if employee is None:
        # Staff accounts without an employee record have no learning history.
        raise Http404
    return employee


@login_required
@require_GET
def transcript(request: HttpRequest) -> HttpResponse:
    """What I completed and when, with a certificate for each completed course and path."""
    employee = employee_for_user(request.user)
    data = transcript_for(employee=employee) if employee is not None else None
    return render(request, "learner/transcript.html", {"employee": employee, "transcript": data})


@login_required
@require_GET
def course_certificate(request: HttpRequest, item_id: int) -> HttpResponse:
    """A printable (A4) certificate for one of my completed path items."""
    employee = _employee_or_404(request)
    item = get_object_or_404(
        EnrolmentItem.objects.select_related("enrolment__path", "item"),
        pk=item_id,
        enrolment__employee=employee,
        status=EnrolmentItem.Status.COMPLETED,
    )
    return render(
        request,
        "learner/certificate.html",
        {
            "employee": employee,
            "title": item.title,
            "path": item.enrolment.path.name,
            "completed_at": item.completed_at,
            "reference": f"C-{item.pk:06d}",
        },
    )


@login_required
@require_GET
def path_certificate(request: HttpRequest, enrolment_id: int) -> HttpResponse:
    """A printable certificate for a whole learning path I completed."""
    employee = _employee_or_404(request)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("path"),
        pk=enrolment_id,
        employee=employee,
        status=Enrolment.Status.COMPLETED,
    )
    return render(
        request,
        "learner/certificate.html",
        {
            "employee": employee,
            "title": enrolment.path.name,
            "path": "",
            "completed_at": enrolment.completed_at,
            "reference": f"P-{enrolment.pk:06d}",
        },
    )


# Contact details and account settings: nothing a phone needs offline, so never kept
# (Cache-Control: private, no-store; the service worker honours it too).
@never_cache
@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    """Who I am in Onramp, my language, my password."""
    return render(request, "learner/profile.html", {"employee": employee_profile_for(request.user)})
