"""Learning paths (学习路径): stages of items, the rules that assign them, enrolments."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable

from lms.org.models import Cohort, Department, Employee, Level, Position


class LearningPath(ClusterableModel):
    """What a group of new hires must do, stage by stage (e.g. 客户经理 入职路径)."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive paths are not assigned to anyone new."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldPanel("is_active"),
        InlinePanel("stages", heading=_("Stages"), label=_("Stage"), min_num=1),
        InlinePanel("rules", heading=_("Who gets this path"), label=_("Assignment rule")),
    ]

    class Meta:
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PathStage(Orderable, ClusterableModel):
    """A step of a path, such as 入职第一天, 第一周, 第一个月 or 转正前."""

    path = ParentalKey(LearningPath, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        InlinePanel("items", heading=_("Items"), label=_("Item")),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return self.name


class PathItem(Orderable):
    """One thing to do in a stage: a course, an in-person session, a survey or a task."""

    class Kind(models.TextChoices):
        COURSE = "course", _("Course")
        SESSION = "session", _("In-person session")
        SURVEY = "survey", _("Pre-training survey")
        CHECKLIST = "checklist", _("Checklist task")

    class SignOff(models.TextChoices):
        LEARNER = "learner", _("The learner ticks it")
        MANAGER = "manager", _("The manager signs it off")

    stage = ParentalKey(PathStage, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.COURSE)
    title = models.CharField(
        _("title"),
        max_length=200,
        blank=True,
        help_text=_("Required for a checklist task, e.g. 领取工牌; a course uses its own title."),
    )
    course = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sign_off = models.CharField(
        _("who completes it"),
        max_length=10,
        choices=SignOff.choices,
        default=SignOff.LEARNER,
        help_text=_("For checklist tasks."),
    )
    due_days = models.IntegerField(
        _("due (days after start)"),
        null=True,
        blank=True,
        help_text=_(
            "Counted from the person's start date; negative for tasks before the first day "
            "(入职前); empty means no due date."
        ),
    )
    requires_earlier = models.BooleanField(
        _("requires the earlier items"),
        default=False,
        help_text=_("Locked until every earlier item of this path is done."),
    )

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("due_days")]),
        PageChooserPanel("course"),
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("sign_off"), FieldPanel("requires_earlier")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("path item")
        verbose_name_plural = _("path items")

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.title:
            return self.title
        if self.course_id:
            return self.course.title
        return str(self.get_kind_display())

    def clean(self) -> None:
        if self.kind == self.Kind.COURSE and not self.course_id:
            raise ValidationError({"course": _("Choose the course of this item.")})
        if self.kind == self.Kind.CHECKLIST and not self.title:
            raise ValidationError({"title": _("Name the task, e.g. 签署保密协议.")})

    def due_date_for(self, start_date: dt.date) -> dt.date | None:
        if self.due_days is None:
            return None
        return start_date + dt.timedelta(days=self.due_days)


class AssignmentRule(Orderable):
    """Who gets a path: everyone matching every criterion that is set."""

    path = ParentalKey(LearningPath, on_delete=models.CASCADE, related_name="rules")
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Includes its sub-departments."),
    )
    position = models.ForeignKey(
        Position, verbose_name=_("position"), null=True, blank=True, on_delete=models.CASCADE
    )
    level = models.ForeignKey(
        Level, verbose_name=_("level"), null=True, blank=True, on_delete=models.CASCADE
    )
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("cohort"), null=True, blank=True, on_delete=models.CASCADE
    )

    panels = [
        FieldRowPanel(
            [
                FieldPanel("department"),
                FieldPanel("position"),
                FieldPanel("level"),
                FieldPanel("cohort"),
            ]
        )
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")

    def __str__(self) -> str:
        parts = [str(p) for p in (self.department, self.position, self.level, self.cohort) if p]
        return " · ".join(parts)

    def clean(self) -> None:
        if not any((self.department_id, self.position_id, self.level_id, self.cohort_id)):
            raise ValidationError(
                _("Choose at least one of department, position, level or cohort.")
            )


class EnrolmentQuerySet(models.QuerySet["Enrolment"]):
    def current(self) -> EnrolmentQuerySet:
        return self.exclude(status=Enrolment.Status.REMOVED)


class Enrolment(models.Model):
    """A person following a path, assigned by a rule or by hand."""

    class Source(models.TextChoices):
        RULE = "rule", _("Assignment rule")
        MANUAL = "manual", _("Assigned by hand")

    class Status(models.TextChoices):
        ACTIVE = "active", _("In progress")
        COMPLETED = "completed", _("Completed")
        REMOVED = "removed", _("No longer assigned")

    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.PROTECT, related_name="enrolments"
    )
    path = models.ForeignKey(
        LearningPath,
        verbose_name=_("learning path"),
        on_delete=models.PROTECT,
        related_name="enrolments",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    # Raised by every service that changes this enrolment or its items, in the same
    # transaction: the phone's cached path map and its ETag are keyed by it.
    map_version = models.PositiveIntegerField(default=0, editable=False)

    objects = EnrolmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["-assigned_at"]
        constraints = [
            models.UniqueConstraint("employee", "path", name="paths_enrolment_unique_per_path"),
        ]
        indexes = [models.Index(fields=["path", "status"])]

    def __str__(self) -> str:
        return f"{self.employee} → {self.path}"


class EnrolmentItem(models.Model):
    """One person's state of one path item, with its own due date."""

    class Status(models.TextChoices):
        PENDING = "pending", _("To do")
        COMPLETED = "completed", _("Done")
        EXEMPT = "exempt", _("Exempt")
        REMOVED = "removed", _("No longer required")

    enrolment = models.ForeignKey(
        Enrolment, verbose_name=_("enrolment"), on_delete=models.CASCADE, related_name="items"
    )
    # Kept when HR deletes the item from the path: history outlives the path's shape.
    item = models.ForeignKey(
        PathItem,
        verbose_name=_("path item"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="enrolment_items",
    )
    title = models.CharField(_("title"), max_length=200)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    exempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("exempted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("enrolment item")
        verbose_name_plural = _("enrolment items")
        constraints = [
            models.UniqueConstraint(
                "enrolment",
                "item",
                name="paths_enrolmentitem_unique_item",
                condition=models.Q(item__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.status == self.Status.PENDING
            and self.due_date is not None
            and self.due_date < today
        )
