"""HR's manual reminder to a filtered list, from the people page."""

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from lms.reports.models import Notice, ReminderMessage

pytestmark = pytest.mark.django_db

NUDGE = "/admin/reports/nudge/"


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.REMINDERS_QUIET_HOURS = "21:00-08:00"


def test_hr_nudges_the_overdue_people_once_a_day(role_client, org):
    org["carol"].email = "carol@example.com"
    org["carol"].save()
    client = role_client("HR")
    response = client.post(f"{NUDGE}?state=overdue", {"note": "请本周内完成。"})
    assert response.status_code == 302 and "state=overdue" in response["Location"]
    [message] = ReminderMessage.objects.all()
    assert message.recipient == org["carol"]
    assert "请本周内完成。" in message.body
    assert mail.outbox[0].to == ["carol@example.com"]
    assert Notice.objects.get(employee=org["carol"])
    client.post(f"{NUDGE}?state=overdue", {"note": "again"})
    assert ReminderMessage.objects.count() == 1  # the daily limit holds for HR too


def test_nudge_skips_people_without_open_items_and_leavers(role_client, org):
    role_client("HR").post(f"{NUDGE}?include_left=true", {"note": ""})
    recipients = set(ReminderMessage.objects.values_list("recipient__name", flat=True))
    assert recipients == {"鲍勃", "卡罗", "丹尼"}  # not 艾丽 (all done), not 伊芙 (left)


def test_a_huge_or_hostile_note_is_cut_and_escaped(role_client, org):
    role_client("HR").post(
        f"{NUDGE}?state=overdue", {"note": "<script>alert(1)</script>" + "字" * 5000}
    )
    notice = Notice.objects.get()
    assert len(notice.lines[0]["text"]) <= 500
    client = role_client("HR")
    client.force_login(org["carol"].user)
    html = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize("role", ["Learner", "Trainer"])
def test_other_roles_cannot_nudge(role_client, org, role):
    role_client(role).post(NUDGE, {"note": "x"})
    assert not ReminderMessage.objects.exists()


def test_a_manager_cannot_nudge(client, org):
    org["manager"].user.groups.set(Group.objects.filter(name="Manager"))
    client.force_login(org["manager"].user)
    assert client.post(NUDGE, {"note": "x"}).status_code == 302
    assert not ReminderMessage.objects.exists()


def test_get_is_not_allowed(role_client, org):
    assert role_client("HR").get(NUDGE).status_code == 405
