"""The organisation: departments, positions, levels, cohorts and the people in them."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Department(models.Model):
    """A unit of the company; departments form a tree (部门 → 子部门)."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=50, unique=True, allow_unicode=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    # The head sees the learning reports of everyone in the department and below it.
    head = models.ForeignKey(
        "Employee",
        verbose_name=_("head of department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_departments",
        help_text=_("Sees the learning progress of everyone in this department and below."),
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint("parent", "name", name="org_department_unique_name_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """A job title (岗位), owned by one department or company-wide when it has none."""

    name = models.CharField(_("name"), max_length=100)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
        help_text=_("Leave empty for a company-wide position."),
    )
    duties = models.TextField(_("duties"), blank=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "department", "name", name="org_position_unique_name_per_department"
            ),
        ]

    def __str__(self) -> str:
        if self.department_id:
            return f"{self.name} ({self.department})"
        return self.name


class Level(models.Model):
    """An ordered job grade (职级) such as P1–P5 or M1–M3."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, blank=True)
    rank = models.PositiveIntegerField(
        _("rank"), default=0, help_text=_("Higher ranks are more senior.")
    )

    class Meta:
        verbose_name = _("level")
        verbose_name_plural = _("levels")
        ordering = ["rank", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class Cohort(models.Model):
    """A start-date intake of new hires (批次), e.g. "2026-12 校招"."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-start_date", "name"]

    def __str__(self) -> str:
        return self.name


class EmployeeQuerySet(models.QuerySet["Employee"]):
    def active(self) -> EmployeeQuerySet:
        return self.filter(status=Employee.Status.ACTIVE)


class Employee(models.Model):
    """A person on staff, one-to-one with their sign-in account.

    People who leave are deactivated, never deleted, so reports keep their history.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        LEFT = "left", _("Left")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="employee",
    )
    employee_no = models.CharField(_("employee number"), max_length=32, unique=True)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="employees",
    )
    position = models.ForeignKey(
        Position,
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    level = models.ForeignKey(
        Level,
        verbose_name=_("level"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    cohort = models.ForeignKey(
        Cohort,
        verbose_name=_("cohort"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="employees",
    )
    start_date = models.DateField(_("start date"))
    manager = models.ForeignKey(
        "self",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    left_on = models.DateField(_("left on"), null=True, blank=True)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_(
            "Set when HR issues an initial password; cleared when the person picks their own."
        ),
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EmployeeQuerySet.as_manager()

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["employee_no"]
        permissions = [("import_roster", _("Can import new-hire rosters"))]
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["cohort", "status"]),
            models.Index(Lower("email"), name="org_employee_email_lower"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


def roster_import_upload_to(instance: RosterImport, filename: str) -> str:
    # The person's file name stays in original_filename; the stored name is opaque so
    # that odd characters or a guessed name never reach the storage backend.
    suffix = Path(filename).suffix.lower()[:8]
    return f"roster_imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class RosterImportQuerySet(models.QuerySet["RosterImport"]):
    def for_listing(self) -> RosterImportQuerySet:
        """Newest first, without the (possibly large) preview report."""
        return self.select_related("uploaded_by").defer("report").order_by("-created_at", "-pk")


class RosterImport(models.Model):
    """A roster uploaded in the admin: the stored file, its preview and what applying it did.

    The preview is made when the file is uploaded; applying runs later as a task that
    reads the stored file again, because the organisation may have changed meanwhile.
    """

    class Status(models.TextChoices):
        UPLOADED = "uploaded", pgettext_lazy("status", "Uploaded")
        INVALID = "invalid", _("Needs fixing")
        READY = "ready", _("Ready to import")
        APPLYING = "applying", _("Importing")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Failed")

    file = models.FileField(_("file"), upload_to=roster_import_upload_to, max_length=255)
    original_filename = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    language = models.CharField(
        _("report language"),
        max_length=10,
        blank=True,
        help_text=_("The uploader's language; the task writes its report in it too."),
    )
    cohort_name = models.CharField(_("cohort"), max_length=100, blank=True)
    create_missing = models.BooleanField(
        _("create missing departments, positions and levels"), default=False
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.UPLOADED
    )
    counts = models.JSONField(_("row counts"), default=dict, blank=True)
    report = models.JSONField(_("preview report"), default=dict, blank=True)
    applied_counts = models.JSONField(_("applied counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)

    objects = RosterImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-pk"]
        # Access is the `org.import_roster` permission; no per-model permissions needed.
        default_permissions = ()
        indexes = [models.Index(fields=["-created_at"], name="org_rosterimport_created")]

    def __str__(self) -> str:
        return self.original_filename

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.INVALID, self.Status.APPLIED, self.Status.FAILED)


class ServiceScope(models.TextChoices):
    """What a service client may do; each HR API endpoint names the one it needs."""

    EMPLOYEES_WRITE = (
        "hr.employees.write",
        _("Create and update people (PUT /api/v1/hr/employees/)"),
    )
    COMPLETIONS_READ = (
        "hr.completions.read",
        _("Read everyone's completions (GET /api/v1/hr/completions/)"),
    )


class ServiceClientQuerySet(models.QuerySet["ServiceClient"]):
    def usable(self) -> ServiceClientQuerySet:
        return self.filter(revoked_at__isnull=True)


class ServiceClient(models.Model):
    """A system that calls the API for the company (the HRIS), not a person.

    It has its own secret and only the scopes an admin gave it, so a sync keeps working
    whoever in HR changes their password or leaves. The secret is shown once, when it is
    made; Onramp keeps its SHA-256 digest and the public key id that starts it.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    key_id = models.CharField(_("key id"), max_length=16, unique=True, editable=False)
    secret_digest = models.CharField(max_length=64, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("secret last replaced"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ServiceClientQuerySet.as_manager()

    class Meta:
        verbose_name = _("service client")
        verbose_name_plural = _("service clients")
        ordering = ["name"]
        # Admins manage them (roles.py); nobody deletes one, so the log keeps its name.
        default_permissions = ("add", "change", "view")

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def scope_labels(self) -> list[str]:
        labels = dict(ServiceScope.choices)
        return [str(labels.get(scope, scope)) for scope in self.scopes]


class CredentialIssue(models.Model):
    """One sign-in credential handed out: who issued it, to whom, and when.

    Written by the services that issue credentials, never edited; admins read it.
    The names are kept as text too, so the log still reads right if an account goes.
    """

    class Kind(models.TextChoices):
        ONE_TIME_PASSWORD = "one_time_password", _("One-time password (must be changed)")
        PASSWORD = "password", _("Password set by an operator")
        SERVICE_KEY = "service_key", _("Service client key (new client)")
        SERVICE_KEY_REPLACED = "service_key_replaced", _("Service client key (replaced)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by_label = models.CharField(_("issued by"), max_length=200, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    service_client = models.ForeignKey(
        ServiceClient,
        verbose_name=_("service client"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credential_issues",
    )
    issued_to_label = models.CharField(_("issued to"), max_length=200)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("issued credential")
        verbose_name_plural = _("issued credentials")
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)
        permissions = [
            (
                "issue_staff_credentials",
                _("Can issue sign-in credentials to staff and admins"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.issued_to_label}"
