"""Reminder rules: due soon, overdue every N days at most M times, escalation, the daily
limit, quiet hours, idempotence and leavers. Times are Asia/Shanghai (UTC+8)."""

import datetime as dt

import pytest
from django.core import mail
from freezegun import freeze_time

from lms.paths.models import EnrolmentItem
from lms.reports.models import Notice, ReminderEntry, ReminderMessage
from lms.reports.services import reminders_run
from tests.factories import DepartmentFactory, EmployeeFactory
from tests.paths.factories import enrol, path_with_items

pytestmark = pytest.mark.django_db

START = dt.date(2026, 11, 1)


def at(day: str, hour: int = 10):
    """A moment in Shanghai local time."""
    return freeze_time(
        f"{day} {hour - 8:02d}:00:00+00:00" if hour >= 8 else f"{day} {hour:02d}:00:00+08:00"
    )


@pytest.fixture
def setup(settings, db):
    settings.REPORTS_DUE_SOON_DAYS = 3
    settings.REMINDERS_OVERDUE_EVERY_DAYS = 3
    settings.REMINDERS_OVERDUE_MAX = 2
    settings.REMINDERS_ESCALATE_AFTER_DAYS = 7
    settings.REMINDERS_QUIET_HOURS = "21:00-08:00"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    department = DepartmentFactory()
    manager = EmployeeFactory(name="经理", department=department, email="boss@example.com")
    learner = EmployeeFactory(
        name="新人",
        department=department,
        start_date=START,
        manager=manager,
        email="new@example.com",
    )
    # due 11-11 (task one) and 11-21 (task two)
    path, items = path_with_items("路径", [("第一周", [("任务一", 10), ("任务二", 20)])])
    enrol(learner, path, items)
    return {"learner": learner, "manager": manager, "items": items}


def messages_to(employee):
    return list(ReminderMessage.objects.filter(recipient=employee).order_by("day"))


def test_due_soon_then_overdue_every_n_days_at_most_m_times(setup):
    learner = setup["learner"]
    with at("2026-11-08"):  # task one due in 3 days
        reminders_run()
    [first] = messages_to(learner)
    assert "任务一" in first.body and "3" in first.body
    assert mail.outbox[-1].to == ["new@example.com"]
    for day in ("2026-11-09", "2026-11-10", "2026-11-11"):
        with at(day):
            reminders_run()
    assert len(messages_to(learner)) == 1  # nothing new: the due-soon reminder is once
    with at("2026-11-12"):  # 1 day overdue: overdue #1
        reminders_run()
    assert "逾期" in messages_to(learner)[-1].body
    for day in ("2026-11-13", "2026-11-14"):
        with at(day):
            reminders_run()
    kinds = list(
        ReminderEntry.objects.filter(recipient=learner, subject_key__startswith="item:")
        .filter(subject_key=f"item:{EnrolmentItem.objects.get(title='任务一').pk}")
        .values_list("kind", "occurrence")
    )
    assert kinds == [("due_soon", 0), ("overdue", 0)]
    with at("2026-11-15"):  # 4 days overdue: overdue #2
        reminders_run()
    with at("2026-11-18"):  # 7 days: would be #3, but at most 2
        reminders_run()
    task_one = EnrolmentItem.objects.get(title="任务一").pk
    assert list(
        ReminderEntry.objects.filter(recipient=learner, subject_key=f"item:{task_one}").values_list(
            "kind", "occurrence"
        )
    ) == [("due_soon", 0), ("overdue", 0), ("overdue", 1)]


def test_long_overdue_is_escalated_to_the_manager_once(setup):
    with at("2026-11-18"):  # task one 7 days overdue
        reminders_run()
    with at("2026-11-19"):
        reminders_run()
    [escalation] = messages_to(setup["manager"])
    assert "新人" in escalation.body and "任务一" in escalation.body
    assert ReminderEntry.objects.filter(kind="escalation").count() == 1


def test_running_twice_sends_nothing_twice(setup):
    with at("2026-11-08"):
        first = reminders_run()
        second = reminders_run()
    assert first.messages == 1 and second.messages == 0 and second.queued == 0
    assert len(mail.outbox) == 1
    assert ReminderMessage.objects.count() == 1
    assert Notice.objects.filter(employee=setup["learner"]).count() == 1


def test_one_message_a_day_batches_everything(setup, settings):
    settings.REPORTS_DUE_SOON_DAYS = 10
    with at("2026-11-13"):  # task one 2 days overdue, task two due in 8 days
        reminders_run()
    [message] = messages_to(setup["learner"])
    assert "任务一" in message.body and "任务二" in message.body
    assert len([m for m in mail.outbox if m.to == ["new@example.com"]]) == 1


def test_reminders_found_after_todays_message_wait_for_tomorrow(setup, settings):
    with at("2026-11-08"):
        reminders_run()
    settings.REPORTS_DUE_SOON_DAYS = 20  # task two now counts as due soon too
    with at("2026-11-08", 15):
        result = reminders_run()
    assert result.queued == 1 and result.messages == 0
    with at("2026-11-09"):
        assert reminders_run().messages == 1
    assert "任务二" in messages_to(setup["learner"])[-1].body


def test_nothing_in_quiet_hours(setup):
    for hour in (22, 23, 3, 7):
        with at("2026-11-08", hour):
            assert reminders_run().quiet
    assert ReminderMessage.objects.count() == 0 and not mail.outbox
    with at("2026-11-08", 8):
        assert reminders_run().messages == 1


def test_no_quiet_hours_when_unset(setup, settings):
    settings.REMINDERS_QUIET_HOURS = ""
    with at("2026-11-08", 23):
        assert reminders_run().messages == 1


def test_nothing_to_people_who_left(setup):
    from lms.org.services import employee_deactivate

    with at("2026-11-07"):
        employee_deactivate(employee=setup["learner"])
    with at("2026-11-18"):
        reminders_run()
    assert ReminderMessage.objects.count() == 0  # not the leaver, nor escalated to the manager


def test_a_queued_reminder_is_dropped_when_the_item_is_done(setup, settings):
    with at("2026-11-08"):
        reminders_run()
    settings.REPORTS_DUE_SOON_DAYS = 20
    with at("2026-11-08", 15):
        reminders_run()  # task two waits for tomorrow
    EnrolmentItem.objects.filter(title="任务二").update(status=EnrolmentItem.Status.COMPLETED)
    with at("2026-11-09"):
        result = reminders_run()
    assert result.messages == 0 and result.skipped == 1


def test_no_email_address_still_gives_the_in_app_notice(setup):
    learner = setup["learner"]
    learner.email = ""
    learner.save()
    learner.user.email = ""
    learner.user.save()
    with at("2026-11-08"):
        reminders_run()
    assert not mail.outbox
    assert Notice.objects.get(employee=learner).lines[0]["text"].startswith("“任务一”")


def test_the_learner_home_shows_the_notice(setup, client):
    with at("2026-11-08"):
        reminders_run()
    client.force_login(setup["learner"].user)
    with at("2026-11-09"):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "任务一" in html and "notices" in html
    with at("2026-11-30"):  # two weeks on, an old reminder is no longer news
        assert "notices" not in client.get("/").content.decode()


def test_the_command_and_the_task(setup, capsys):
    from django.core.management import call_command

    from lms.reports.tasks import reminders_send

    with at("2026-11-08"):
        call_command("send_reminders")
        assert reminders_send.enqueue().return_value["messages"] == 0
    assert "1 messages sent" in capsys.readouterr().out
