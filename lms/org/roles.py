"""The roles as Django groups, with the permissions each needs; the one home of their names."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

ROLE_LEARNER = "Learner"
ROLE_TRAINER = "Trainer"
ROLE_HR = "HR"
ROLE_ADMIN = "Admin"
ROLES = (ROLE_LEARNER, ROLE_TRAINER, ROLE_HR, ROLE_ADMIN)
# Department managers see their own people's reports (row-level, lms.reports.scope).
ROLE_MANAGER = "Manager"

ORG_MODELS = ("department", "position", "level", "cohort", "employee")
# Recorded lessons (media/): trainers and admins manage them, HR may look.
MEDIA_MANAGE = [
    ("onramp_media", f"{action}_{model}")
    for model in ("video", "caption")
    for action in ("add", "change", "view", "delete")
]
MEDIA_VIEW = [("onramp_media", "view_video"), ("onramp_media", "view_caption")]
# Quizzes and question banks (courses/): trainers write them, HR may look.
QUIZ_MANAGE = [
    ("courses", f"{action}_{model}")
    for model in ("quiz", "questionbank")
    for action in ("add", "change", "view", "delete")
]
QUIZ_VIEW = [("courses", "view_quiz"), ("courses", "view_questionbank")]
# "Translate this course" (wagtail.contrib.simple_translation).
TRANSLATE = [("simple_translation", "submit_translation")]

# (app_label, codename) pairs; "*" after an app label means every permission of that app.
# Paths are HR's: trainers read them to know who is coming.
PATHS_MANAGE = [
    ("paths", f"{action}_{model}")
    for model in ("learningpath", "enrolment")
    for action in ("add", "change", "view", "delete")
    if (action, model) != ("delete", "enrolment")  # removal keeps history instead
]
PATHS_VIEW = [("paths", "view_learningpath"), ("paths", "view_enrolment")]
# Learning reports (lms/reports): HR sees everyone and sends reminders; a department
# manager sees their own people only (row-level scoping in lms.reports.scope).
REPORTS_MANAGE = [
    ("reports", "view_reports"),
    ("reports", "send_reminders"),
    ("reports", "view_remindermessage"),
]

# In-person sessions and surveys (lms/sessions, lms/surveys): trainers schedule and write
# them, HR follows them (briefs and attendance of every session); trainers read the brief
# and take attendance of their own sessions (checked per session, not by permission).
# A trainer has no change/delete permission on sessions: that would be every session.
# Adding sessions lets them edit and delete the ones they teach (lms.sessions.selectors).
SESSIONS_MANAGE = [
    ("training_sessions", "add_inpersonsession"),
    ("training_sessions", "view_inpersonsession"),
    *[("surveys", f"{action}_survey") for action in ("add", "change", "view", "delete")],
    ("training_sessions", "view_signup"),
    ("surveys", "view_surveyresponse"),
]
SESSIONS_FOLLOW = [
    ("training_sessions", "view_inpersonsession"),
    ("training_sessions", "change_inpersonsession"),
    ("training_sessions", "view_signup"),
    ("training_sessions", "change_signup"),
    ("training_sessions", "view_brief"),
    ("training_sessions", "take_attendance"),
    ("surveys", "view_survey"),
    ("surveys", "view_surveyresponse"),
]

ROLE_PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    ROLE_LEARNER: [],
    ROLE_TRAINER: [("wagtailadmin", "access_admin")]
    + [("org", f"view_{model}") for model in ORG_MODELS]
    + MEDIA_MANAGE
    + PATHS_VIEW
    + QUIZ_MANAGE
    + TRANSLATE
    + SESSIONS_MANAGE,
    ROLE_HR: [("wagtailadmin", "access_admin"), ("org", "import_roster")]
    + [("org", f"{action}_{model}") for model in ORG_MODELS for action in ("add", "change", "view")]
    + [("org", f"delete_{model}") for model in ("department", "position", "level", "cohort")]
    + MEDIA_VIEW
    + PATHS_MANAGE
    + QUIZ_VIEW
    + SESSIONS_FOLLOW
    + REPORTS_MANAGE,
    ROLE_MANAGER: [("wagtailadmin", "access_admin"), ("reports", "view_team_reports")],
    ROLE_ADMIN: [
        ("wagtailadmin", "access_admin"),
        # Everything on the organisation except deleting a person: people who leave are
        # deactivated so their history stays.
        *[
            ("org", f"{a}_{m}")
            for m in ORG_MODELS
            for a in ("add", "change", "view", "delete")
            if (a, m) != ("delete", "employee")
        ],
        ("org", "import_roster"),
        ("org", "add_rosterimport"),
        ("org", "view_rosterimport"),
        # Sign-in credentials: passwords for staff too, the log, and service clients.
        ("org", "issue_staff_credentials"),
        ("org", "view_credentialissue"),
        ("org", "add_serviceclient"),
        ("org", "change_serviceclient"),
        ("org", "view_serviceclient"),
        ("ops", "*"),
        ("auth", "*"),
        ("wagtailcore", "*"),
        ("wagtailusers", "*"),
        *MEDIA_MANAGE,
        *PATHS_MANAGE,
        *QUIZ_MANAGE,
        *TRANSLATE,
        ("training_sessions", "*"),
        ("surveys", "*"),
        *REPORTS_MANAGE,
    ],
}


def roles_sync() -> None:
    """Create the role groups and give them exactly their permissions (idempotent)."""
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        query = Q(pk__in=[])
        for app_label, codename in wanted:
            if codename == "*":
                query |= Q(content_type__app_label=app_label)
            else:
                query |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.filter(query))

    # Page permissions on the course tree and the review workflow build on these groups.
    from courses.governance import course_governance_sync

    course_governance_sync()
