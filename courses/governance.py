"""Who may do what with courses in the admin, and the review every course goes through.

- Trainers add and edit courses and lessons under the course index and submit them for
  review; they cannot publish.
- The training lead group (培训负责人) approves in the moderation workflow and publishes
  (also scheduled publishing, which needs the publish permission).
- Admins can do everything with the course tree.
- HR reads: Wagtail has no read-only page permission (any page permission lets a person
  change pages), so HR reads courses on the site, where staff roles see every course,
  and quizzes/question banks in the admin with view-only permissions (lms/org/roles.py).

The role groups (Trainer, HR, Admin) belong to the organisation (lms/org/roles.py), which
calls `course_governance_sync` after syncing them; this module only refers to them by
name. The sync is idempotent and only adds what is missing: an administrator's extra
grants or a re-assigned workflow are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

TRAINER_GROUP = "Trainer"
TRAINING_LEAD_GROUP = "Training lead"
ADMIN_GROUP = "Admin"

# Workflow and task names are content shown in the admin, in the company's language.
WORKFLOW_NAME = "课程审核"
APPROVAL_TASK_NAME = "培训负责人审批"

PAGE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    TRAINER_GROUP: ("add", "change"),
    TRAINING_LEAD_GROUP: ("add", "change", "publish", "lock", "unlock"),
    ADMIN_GROUP: ("add", "change", "publish", "lock", "unlock", "bulk_delete"),
}
COLLECTION_PERMISSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    group: (
        ("wagtailimages", "add_image"),
        ("wagtailimages", "choose_image"),
        ("wagtaildocs", "add_document"),
        ("wagtaildocs", "choose_document"),
    )
    for group in (TRAINER_GROUP, TRAINING_LEAD_GROUP)
}
TRAINING_LEAD_PERMISSIONS: tuple[tuple[str, str], ...] = (
    ("wagtailadmin", "access_admin"),
    ("simple_translation", "submit_translation"),
    *(
        ("courses", f"{action}_{model}")
        for model in ("quiz", "questionbank")
        for action in ("add", "change", "delete", "view")
    ),
)


@dataclass
class GovernanceReport:
    locales: int = 0
    groups: int = 0
    permissions: int = 0
    workflows: int = 0

    @property
    def changed(self) -> int:
        return self.locales + self.groups + self.permissions + self.workflows


def _permissions(pairs: tuple[tuple[str, str], ...]) -> list[Permission]:
    query = Q(pk__in=[])
    for app_label, codename in pairs:
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query))


def locales_sync() -> int:
    """A Wagtail locale for every content language; returns how many were created."""
    existing = set(Locale.objects.values_list("language_code", flat=True))
    wanted = [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES if code not in existing]
    Locale.objects.bulk_create([Locale(language_code=code) for code in wanted])
    return len(wanted)


def _course_indexes() -> list[Page]:
    from courses.models import CourseIndexPage

    content_type = ContentType.objects.get_for_model(CourseIndexPage)
    return list(Page.objects.filter(content_type=content_type))


def _page_permissions_sync(groups: dict[str, Group], indexes: list[Page]) -> int:
    page_type = ContentType.objects.get_for_model(Page)
    by_codename = {p.codename: p for p in Permission.objects.filter(content_type=page_type)}
    existing = set(
        GroupPagePermission.objects.filter(page__in=indexes).values_list(
            "group_id", "page_id", "permission_id"
        )
    )
    missing = []
    for group_name, actions in PAGE_PERMISSIONS.items():
        group = groups.get(group_name)
        if group is None:
            continue
        for index in indexes:
            for action in actions:
                permission = by_codename[f"{action}_page"]
                if (group.pk, index.pk, permission.pk) not in existing:
                    missing.append(
                        GroupPagePermission(group=group, page=index, permission=permission)
                    )
    GroupPagePermission.objects.bulk_create(missing)
    return len(missing)


def _collection_permissions_sync(groups: dict[str, Group]) -> int:
    root = Collection.get_first_root_node()
    if root is None:
        return 0
    created = 0
    for group_name, pairs in COLLECTION_PERMISSIONS.items():
        group = groups.get(group_name)
        if group is None:
            continue
        for permission in _permissions(pairs):
            _obj, was_created = GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root, permission=permission
            )
            created += was_created
    return created


def _workflow_sync(lead: Group, indexes: list[Page]) -> int:
    assigned = set(WorkflowPage.objects.filter(page__in=indexes).values_list("page_id", flat=True))
    unassigned = [index for index in indexes if index.pk not in assigned]
    if not unassigned:
        return 0
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.workflow_tasks.exists():
        task, task_created = GroupApprovalTask.objects.get_or_create(name=APPROVAL_TASK_NAME)
        if task_created:
            task.groups.set([lead])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.bulk_create(
        [WorkflowPage(page=index, workflow=workflow) for index in unassigned]
    )
    return len(unassigned)


@transaction.atomic
def course_governance_sync() -> GovernanceReport:
    """Locales, the training lead group, page permissions and the review workflow."""
    report = GovernanceReport(locales=locales_sync())
    lead, created = Group.objects.get_or_create(name=TRAINING_LEAD_GROUP)
    report.groups += created
    wanted = _permissions(TRAINING_LEAD_PERMISSIONS)
    have = set(lead.permissions.values_list("pk", flat=True))
    missing = [p for p in wanted if p.pk not in have]
    if missing:
        lead.permissions.add(*missing)
        report.permissions += len(missing)

    groups = {g.name: g for g in Group.objects.filter(name__in=PAGE_PERMISSIONS)}
    indexes = _course_indexes()
    report.permissions += _page_permissions_sync(groups, indexes)
    report.permissions += _collection_permissions_sync(groups)
    report.workflows += _workflow_sync(lead, indexes)
    return report
