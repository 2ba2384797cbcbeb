"""Authoring in the admin: trainers write and submit, the training lead approves and publishes."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import GroupPagePermission, Page, WorkflowPage
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from courses.governance import TRAINING_LEAD_GROUP, course_governance_sync
from courses.models import CoursePage
from tests.courses.factories import CoursePageFactory
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def governed(course_index):
    """The index as seed_demo and migrate leave it: permissions and the review workflow."""
    course_governance_sync()
    return course_index


def signed_in(*roles):
    client = Client()
    client.force_login(EmployeeFactory(roles=list(roles)).user)
    return client


def course_form(**extra):
    return nested_form_data(
        {
            "title": "征信基础",
            "slug": "credit-basics",
            "summary": "征信是什么，以及它在风控中的作用。",
            "language": "zh-hans",
            "estimated_minutes": "",
            "topics": inline_formset([{"title": "征信系统", "description": ""}]),
            "audience": "风险控制部新员工",
            "visibility": "staff",
            **extra,
        }
    )


def test_trainer_creates_and_submits_the_training_lead_approves_and_it_goes_live(governed):
    trainer = signed_in("Trainer")
    response = trainer.post(
        reverse("wagtailadmin_pages:add", args=["courses", "coursepage", governed.pk]),
        course_form(**{"action-submit": "submit"}),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    course = CoursePage.objects.get(slug="credit-basics", alias_of=None)
    assert not course.live
    assert course.workflow_in_progress
    assert [t.title for t in course.get_latest_revision_as_object().topics.all()] == ["征信系统"]

    learner = signed_in("Learner")
    assert learner.get("/courses/credit-basics/").status_code == 404

    # The trainer cannot publish it themselves.
    trainer.post(
        reverse("wagtailadmin_pages:edit", args=[course.pk]),
        course_form(**{"action-publish": "publish"}),
    )
    course.refresh_from_db()
    assert not course.live

    lead = signed_in(TRAINING_LEAD_GROUP)
    task_state = course.current_workflow_task_state
    response = lead.post(
        reverse("wagtailadmin_pages:workflow_action", args=[course.pk, "approve", task_state.pk]),
        {"comment": "内容准确，同意发布。"},
    )
    assert response.status_code == 302

    course.refresh_from_db()
    assert course.live
    assert not course.workflow_in_progress
    assert learner.get("/courses/credit-basics/").status_code == 200
    # The English alias the admin made alongside is published with it.
    assert CoursePage.objects.get(alias_of=course).live


def test_the_training_lead_can_request_changes(governed):
    trainer = signed_in("Trainer")
    trainer.post(
        reverse("wagtailadmin_pages:add", args=["courses", "coursepage", governed.pk]),
        course_form(**{"action-submit": "submit"}),
    )
    course = CoursePage.objects.get(slug="credit-basics", alias_of=None)
    lead = signed_in(TRAINING_LEAD_GROUP)

    lead.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=[course.pk, "reject", course.current_workflow_task_state.pk],
        ),
        {"comment": "请补充案例。"},
    )

    course.refresh_from_db()
    assert not course.live
    assert course.current_workflow_state.status == "needs_changes"


def test_who_may_do_what_on_the_course_tree(governed):
    course = CoursePageFactory(parent=governed)
    rights = {}
    for role in ("Trainer", TRAINING_LEAD_GROUP, "HR", "Admin", "Learner"):
        user = EmployeeFactory(roles=[role]).user
        perms = Page.objects.get(pk=course.pk).permissions_for_user(user)
        rights[role] = (perms.can_edit(), perms.can_publish(), perms.can_add_subpage())
    assert rights == {
        "Trainer": (True, False, True),
        TRAINING_LEAD_GROUP: (True, True, True),
        "HR": (False, False, False),
        "Admin": (True, True, True),
        "Learner": (False, False, False),
    }


def test_hr_reads_quizzes_but_does_not_change_them(governed, quiz):
    hr = signed_in("HR")
    assert hr.get(reverse("wagtailsnippets_courses_quiz:list")).status_code == 200
    for refused in (
        hr.get(reverse("wagtailsnippets_courses_quiz:edit", args=[quiz.pk])),
        hr.get(reverse("wagtailadmin_pages:edit", args=[quiz.bank.course.pk])),
    ):
        # Wagtail turns PermissionDenied into a redirect to the dashboard with a message.
        assert (refused.status_code, refused["Location"]) == (302, "/admin/")
    # …and reads every course on the site, whatever its visibility.
    hidden = CoursePageFactory(parent=governed, visibility="path")
    assert hr.get(hidden.url).status_code == 200


def test_trainers_write_quizzes(governed, quiz):
    trainer = signed_in("Trainer")
    assert (
        trainer.get(reverse("wagtailsnippets_courses_quiz:edit", args=[quiz.pk])).status_code == 200
    )
    assert trainer.get(reverse("wagtailsnippets_courses_questionbank:add")).status_code == 200


def test_learners_have_no_admin(governed):
    response = signed_in("Learner").get("/admin/pages/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_trainers_preview_on_a_phone_sized_frame(governed, course, lesson):
    trainer = signed_in("Trainer")
    url = reverse("wagtailadmin_pages:preview_on_edit", args=[course.pk])
    trainer.post(url, course_form(title="风险控制入门（预览）", slug=course.slug))

    response = trainer.get(url)

    assert response.status_code == 200
    assert "风险控制入门（预览）" in response.content.decode()
    assert course.default_preview_size == "mobile"
    course.refresh_from_db()
    assert course.title == "风险控制入门"  # previewing saves nothing


def test_revisions_are_listed_and_can_be_compared(governed, course):
    course.summary = "第二版简介"
    second = course.save_revision()
    first = course.revisions.order_by("created_at").first()
    lead = signed_in(TRAINING_LEAD_GROUP)

    assert lead.get(reverse("wagtailadmin_pages:history", args=[course.pk])).status_code == 200
    compare = lead.get(
        reverse("wagtailadmin_pages:revisions_compare", args=[course.pk, first.pk, second.pk])
    )
    assert compare.status_code == 200
    assert "第二版简介" in compare.content.decode()


def test_scheduled_publishing(governed):
    course = CoursePageFactory(parent=governed, slug="later", publish=False)
    go_live = timezone.now() + dt.timedelta(days=2)
    course.go_live_at = go_live
    course.save_revision(approved_go_live_at=go_live)
    learner = signed_in("Learner")
    assert learner.get("/courses/later/").status_code == 404

    with freeze_time(go_live + dt.timedelta(minutes=1)):
        call_command("publish_scheduled")

    course.refresh_from_db()
    assert course.live
    assert learner.get("/courses/later/").status_code == 200


def test_governance_sync_is_idempotent_and_leaves_extra_grants(governed):
    first_permissions = GroupPagePermission.objects.count()
    assert WorkflowPage.objects.filter(page=governed).exists()

    report = course_governance_sync()

    assert report.changed == 0
    assert GroupPagePermission.objects.count() == first_permissions


def test_a_course_index_made_in_the_admin_is_governed_with_its_aliases():
    from tests.courses.factories import site_root
    from tests.factories import UserFactory

    admin = Client()
    admin.force_login(UserFactory(is_superuser=True, is_staff=True))
    admin.post(
        reverse("wagtailadmin_pages:add", args=["courses", "courseindexpage", site_root().pk]),
        nested_form_data(
            {"title": "课程", "slug": "courses", "intro": rich_text(""), "action-publish": "1"}
        ),
    )
    index = Page.objects.get(slug="courses", alias_of=None)
    course = CoursePageFactory(parent=index.specific)
    trainer = EmployeeFactory(roles=["Trainer"]).user
    assert course.permissions_for_user(trainer).can_edit()
    assert WorkflowPage.objects.filter(page=index).exists()
    # Creating a course in the admin made the English tree (aliases) too: governed as well.
    admin.post(
        reverse("wagtailadmin_pages:add", args=["courses", "coursepage", index.pk]),
        course_form(**{"action-publish": "1"}),
    )
    english_index = Page.objects.get(alias_of=index)
    assert WorkflowPage.objects.filter(page=english_index).exists()
    english_course = CoursePage.objects.get(alias_of__slug="credit-basics")
    assert english_course.permissions_for_user(trainer).can_edit()
