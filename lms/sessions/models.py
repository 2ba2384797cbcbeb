"""In-person sessions (面授): dated parts, sign-ups with a waitlist, attendance, feedback."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.models import Orderable

from lms.org.roles import ROLE_TRAINER


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(
            _("Unknown time zone %(zone)s; use a name such as Asia/Shanghai."),
            params={"zone": value},
        ) from error


class InPersonSessionQuerySet(models.QuerySet["InPersonSession"]):
    def scheduled(self) -> InPersonSessionQuerySet:
        return self.filter(status=InPersonSession.Status.SCHEDULED)

    def with_times(self) -> InPersonSessionQuerySet:
        return self.annotate(
            first_start=models.Min("parts__starts_at"), last_end=models.Max("parts__ends_at")
        )


class InPersonSession(ClusterableModel):
    """A face-to-face training, one or several dated parts, for a course or a topic."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("session", "Scheduled")
        CANCELLED = "cancelled", pgettext_lazy("session", "Cancelled")

    class PrerequisitesBy(models.TextChoices):
        SIGN_UP = "sign_up", _("Before signing up")
        ATTENDING = "attending", _("Before attending")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The course this session trains, if any."),
    )
    trainers = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("trainers"),
        blank=True,
        related_name="trained_sessions",
        limit_choices_to={"groups__name": ROLE_TRAINER},
    )
    room = models.CharField(_("room"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    map_url = models.URLField(_("map link"), blank=True)
    online_url = models.URLField(_("online meeting link"), blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[validate_time_zone],
    )
    capacity = models.PositiveIntegerField(
        _("seats"), default=30, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )
    signup_opens_at = models.DateTimeField(_("sign-up opens"), null=True, blank=True)
    signup_closes_at = models.DateTimeField(
        _("sign-up closes"), null=True, blank=True, help_text=_("Empty: when the session starts.")
    )
    cancel_cutoff_hours = models.PositiveIntegerField(
        _("cancellation cut-off (hours before start)"), default=24
    )
    offer_hold_hours = models.PositiveIntegerField(
        _("hold an offered seat for (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 14)],
        help_text=_("A freed seat is offered to the next on the waitlist for this long."),
    )
    needs_manager_approval = models.BooleanField(
        _("needs manager approval"),
        default=False,
        help_text=_("A sign-up holds a seat until the learner's manager or HR approves it."),
    )
    prerequisite_courses = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("prerequisite courses"),
        blank=True,
        related_name="+",
    )
    prerequisites_by = models.CharField(
        _("prerequisites must be done"),
        max_length=10,
        choices=PrerequisitesBy.choices,
        default=PrerequisitesBy.ATTENDING,
    )
    survey = models.ForeignKey(
        "surveys.Survey",
        verbose_name=_("pre-training survey"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    survey_deadline = models.DateTimeField(
        _("survey deadline"),
        null=True,
        blank=True,
        help_text=_("Empty: answers can be changed until the session starts."),
    )
    audience_paths = ParentalManyToManyField(
        "paths.LearningPath",
        verbose_name=_("for people on these paths"),
        blank=True,
        related_name="+",
    )
    audience_cohorts = ParentalManyToManyField(
        "org.Cohort",
        verbose_name=_("for these cohorts"),
        blank=True,
        related_name="+",
        help_text=_("Leave paths and cohorts empty to open the session to everyone."),
    )
    path_items = ParentalManyToManyField(
        "paths.PathItem",
        verbose_name=_("completes path items"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "session"},
        help_text=_("Path items of kind 'in-person session' that attending completes."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    # Calendar invites: one UID for the life of the session, SEQUENCE bumped on each change.
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    sequence = models.PositiveIntegerField(default=0, editable=False)
    calendar_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = InPersonSessionQuerySet.as_manager()

    panels = [
        FieldPanel("title"),
        FieldPanel("description"),
        PageChooserPanel("course", page_type="courses.CoursePage"),
        FieldPanel("trainers"),
        InlinePanel("parts", heading=_("Dates"), label=_("Part"), min_num=1),
        FieldPanel("time_zone"),
        MultiFieldPanel(
            [
                FieldPanel("room"),
                FieldPanel("address"),
                FieldPanel("map_url"),
                FieldPanel("online_url"),
            ],
            heading=_("Where"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("offer_hold_hours")]),
                FieldRowPanel([FieldPanel("signup_opens_at"), FieldPanel("signup_closes_at")]),
                FieldRowPanel(
                    [FieldPanel("cancel_cutoff_hours"), FieldPanel("needs_manager_approval")]
                ),
                FieldPanel("audience_paths"),
                FieldPanel("audience_cohorts"),
            ],
            heading=_("Sign-up"),
        ),
        MultiFieldPanel(
            [FieldPanel("prerequisite_courses"), FieldPanel("prerequisites_by")],
            heading=_("Prerequisites"),
        ),
        MultiFieldPanel(
            [FieldPanel("survey"), FieldPanel("survey_deadline")],
            heading=_("Pre-training survey"),
        ),
        FieldPanel("path_items"),
        FieldPanel("status"),
    ]

    class Meta:
        verbose_name = _("in-person session")
        verbose_name_plural = _("in-person sessions")
        ordering = ["-created_at", "pk"]
        permissions = [
            ("view_brief", _("Can read the trainer's brief of any session")),
            ("take_attendance", _("Can take attendance of any session")),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def ordered_parts(self) -> list[SessionPart]:
        return sorted(self.parts.all(), key=lambda part: part.starts_at)

    @property
    def starts_at(self) -> dt.datetime | None:
        parts = self.ordered_parts()
        return parts[0].starts_at if parts else None

    @property
    def ends_at(self) -> dt.datetime | None:
        parts = self.ordered_parts()
        return max(part.ends_at for part in parts) if parts else None

    @property
    def seats_label(self) -> str:
        """ "taken / capacity" for listings annotated by sessions_with_seats()."""
        return f"{getattr(self, 'seats_taken', '?')} / {self.capacity}"

    @property
    def location_text(self) -> str:
        return " · ".join(p for p in (self.room, self.address) if p)


class SessionPart(Orderable):
    """One dated part of a session (a two-day session has two)."""

    session = ParentalKey(InPersonSession, on_delete=models.CASCADE, related_name="parts")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))

    panels = [FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")])]

    class Meta(Orderable.Meta):
        verbose_name = _("session part")
        verbose_name_plural = _("session parts")

    def __str__(self) -> str:
        return f"{self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})


class SignUp(models.Model):
    """A learner's place in a session: a seat, a place on the waitlist, or what happened."""

    class Status(models.TextChoices):
        # A context keeps these apart from same-looking words elsewhere ("Confirmed").
        PENDING = "pending", pgettext_lazy("sign-up", "Awaiting approval")
        CONFIRMED = "confirmed", pgettext_lazy("sign-up", "Confirmed")
        WAITLISTED = "waitlisted", pgettext_lazy("sign-up", "On the waitlist")
        OFFERED = "offered", pgettext_lazy("sign-up", "Seat offered")
        CANCELLED = "cancelled", pgettext_lazy("sign-up", "Cancelled")
        ATTENDED = "attended", pgettext_lazy("sign-up", "Attended")
        LATE = "late", pgettext_lazy("sign-up", "Attended, late")
        ABSENT = "absent", pgettext_lazy("sign-up", "Absent")
        EXCUSED = "excused", pgettext_lazy("sign-up", "Excused")

    # These hold one of the session's seats.
    SEATED = (Status.PENDING, Status.CONFIRMED, Status.OFFERED, Status.ATTENDED, Status.LATE)
    # These are "coming" or came: the roster and the brief are about them.
    EXPECTED = (
        Status.PENDING,
        Status.CONFIRMED,
        Status.ATTENDED,
        Status.LATE,
        Status.ABSENT,
        Status.EXCUSED,
    )
    PRESENT = (Status.ATTENDED, Status.LATE)

    session = models.ForeignKey(
        InPersonSession,
        verbose_name=_("in-person session"),
        on_delete=models.CASCADE,
        related_name="signups",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="session_signups",
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    # Waitlist order: who asked first (kept when a cancelled person signs up again? no: reset).
    queued_at = models.DateTimeField(_("signed up at"))
    offered_until = models.DateTimeField(_("offer held until"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attendance taken by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    feedback_rating = models.PositiveSmallIntegerField(
        _("rating"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    feedback_comment = models.TextField(_("comment"), blank=True, max_length=2000)
    feedback_at = models.DateTimeField(_("feedback given at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["queued_at", "pk"]
        constraints = [
            models.UniqueConstraint("session", "user", name="training_sessions_signup_once"),
            models.CheckConstraint(
                condition=models.Q(feedback_rating__isnull=True)
                | models.Q(feedback_rating__gte=1, feedback_rating__lte=5),
                name="training_sessions_signup_rating_1_5",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return f"{self.session} · {self.user} ({self.status})"

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEATED

    @property
    def is_present(self) -> bool:
        return self.status in self.PRESENT
