"""Reads of in-person sessions: who may sign up, seats left, who is ready."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from lms.org.selectors import employee_for_user
from lms.paths.models import Enrolment, PathItem
from lms.sessions.models import InPersonSession, SessionPart, SignUp


def sessions_with_seats() -> QuerySet[InPersonSession]:
    """Sessions with their times and taken seats, parts prefetched (no per-row queries)."""
    return (
        InPersonSession.objects.with_times()
        # distinct: with_times() joins the parts, so each sign-up row appears once per part.
        .annotate(
            seats_taken=Count("signups", filter=Q(signups__status__in=SignUp.SEATED), distinct=True)
        )
        .prefetch_related(Prefetch("parts", queryset=SessionPart.objects.order_by("starts_at")))
        .select_related("survey")
    )


def user_is_in_audience(*, session: InPersonSession, user: AbstractBaseUser) -> bool:
    employee = employee_for_user(user)
    if employee is None or not employee.is_active:
        return False
    path_ids = {p.pk for p in session.audience_paths.all()}
    cohort_ids = {c.pk for c in session.audience_cohorts.all()}
    if not path_ids and not cohort_ids:
        return True
    if employee.cohort_id in cohort_ids:
        return True
    return (
        bool(path_ids)
        and Enrolment.objects.current().filter(employee=employee, path_id__in=path_ids).exists()
    )


def sessions_open_to(*, user: AbstractBaseUser) -> QuerySet[InPersonSession]:
    """Scheduled sessions not yet over that this person's cohort or paths may join."""
    employee = employee_for_user(user)
    if employee is None or not employee.is_active:
        # Empty, but with the same annotations: the API filters on first_start.
        return sessions_with_seats().none()
    now = timezone.now()
    path_ids = list(
        Enrolment.objects.current().filter(employee=employee).values_list("path_id", flat=True)
    )
    open_to_all = Q(audience_paths__isnull=True, audience_cohorts__isnull=True)
    audience = open_to_all | Q(audience_paths__in=path_ids)
    if employee.cohort_id:
        audience |= Q(audience_cohorts=employee.cohort_id)
    ids = InPersonSession.objects.scheduled().filter(audience).values("pk").distinct()
    signed_up = SignUp.objects.filter(user=user).values("session_id")
    return (
        sessions_with_seats()
        .filter(Q(pk__in=ids) | Q(pk__in=signed_up))
        .filter(last_end__gt=now)
        .order_by("first_start", "pk")
    )


def signups_by_session(*, user: AbstractBaseUser, session_ids: list[int]) -> dict[int, SignUp]:
    return {s.session_id: s for s in SignUp.objects.filter(user=user, session_id__in=session_ids)}


def seats_left(session: InPersonSession) -> int:
    taken = getattr(session, "seats_taken", None)
    if taken is None:
        taken = session.signups.filter(status__in=SignUp.SEATED).count()
    return max(session.capacity - taken, 0)


def session_signup_closes_at(session: InPersonSession) -> dt.datetime | None:
    return session.signup_closes_at or session.starts_at


def session_survey_deadline(session: InPersonSession) -> dt.datetime | None:
    return session.survey_deadline or session.starts_at


def user_teaches(*, session: InPersonSession, user: AbstractBaseUser) -> bool:
    if not getattr(user, "is_authenticated", False) or session.pk is None:
        return False
    return session.trainers.filter(pk=user.pk).exists()


# Who may change a session. HR and admins (change permission) edit any session and
# choose its trainers. A trainer (add permission) schedules sessions and edits those
# they teach; they cannot edit, and so cannot join, anyone else's, because a session's
# trainers read its brief: names, readiness and free-text answers.


def user_manages_all_sessions(user: AbstractBaseUser) -> bool:
    return bool(getattr(user, "is_active", False)) and user.has_perm(
        "training_sessions.change_inpersonsession"
    )


def user_may_edit_session(*, session: InPersonSession, user: AbstractBaseUser) -> bool:
    if user_manages_all_sessions(user):
        return True
    return user.has_perm("training_sessions.add_inpersonsession") and user_teaches(
        session=session, user=user
    )


def user_deletes_all_sessions(user: AbstractBaseUser) -> bool:
    return bool(getattr(user, "is_active", False)) and user.has_perm(
        "training_sessions.delete_inpersonsession"
    )


def user_may_delete_session(*, session: InPersonSession, user: AbstractBaseUser) -> bool:
    if user_deletes_all_sessions(user):
        return True
    return user.has_perm("training_sessions.add_inpersonsession") and user_teaches(
        session=session, user=user
    )


def _sessions_a_trainer_edits(user: AbstractBaseUser) -> QuerySet[InPersonSession]:
    if not getattr(user, "is_active", False) or not user.has_perm(
        "training_sessions.add_inpersonsession"
    ):
        return InPersonSession.objects.none()
    return InPersonSession.objects.filter(trainers=user)


def sessions_user_may_edit(user: AbstractBaseUser) -> QuerySet[InPersonSession]:
    if user_manages_all_sessions(user):
        return InPersonSession.objects.all()
    return _sessions_a_trainer_edits(user)


def sessions_user_may_delete(user: AbstractBaseUser) -> QuerySet[InPersonSession]:
    if user_deletes_all_sessions(user):
        return InPersonSession.objects.all()
    return _sessions_a_trainer_edits(user)


def sessions_taught_by(user: AbstractBaseUser) -> QuerySet[InPersonSession]:
    if not getattr(user, "is_authenticated", False):
        return InPersonSession.objects.none()
    return InPersonSession.objects.filter(trainers=user)


def user_reads_all_briefs(user: AbstractBaseUser) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_perm(
        "training_sessions.view_brief"
    )


def user_may_read_brief(*, session: InPersonSession, user: AbstractBaseUser) -> bool:
    """The session's own trainers, and HR/admin (view_brief); never learners."""
    return user_reads_all_briefs(user) or user_teaches(session=session, user=user)


def user_may_read_any_brief(user: AbstractBaseUser) -> bool:
    """HR/admin, or a trainer of some session: who may ask for a brief at all."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.has_perm("training_sessions.view_brief") or (
        InPersonSession.objects.filter(trainers=user).exists()
    )


def user_may_take_attendance(*, session: InPersonSession, user: AbstractBaseUser) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.has_perm("training_sessions.take_attendance"):
        return True
    return user_teaches(session=session, user=user)


def session_path_item_ids(session: InPersonSession) -> set[int]:
    """Path items attending completes: the linked ones and session items of its course."""
    ids = {item.pk for item in session.path_items.all()}
    if session.course_id:
        ids |= set(
            PathItem.objects.filter(
                kind=PathItem.Kind.SESSION, course_id=session.course_id
            ).values_list("pk", flat=True)
        )
    return ids


def sessions_for_path_item(*, item: PathItem) -> QuerySet[InPersonSession]:
    """Sessions that fulfil a path item of kind session (linked, or of the item's course)."""
    query = Q(path_items=item)
    if item.course_id:
        query |= Q(course_id=item.course_id)
    ids = InPersonSession.objects.filter(query).values("pk")
    return sessions_with_seats().filter(pk__in=ids).order_by("first_start", "pk")


def prerequisites_missing(*, session: InPersonSession, user: AbstractBaseUser) -> list[str]:
    """Titles of the prerequisite courses this person has not completed."""
    from lms.progress.completion import course_completion_for

    return [
        course.title
        for course in session.prerequisite_courses.all()
        if not course_completion_for(user=user, course=course).complete
    ]
