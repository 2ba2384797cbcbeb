"""The brief's numbers, checked exactly on known answers; who may read it; anonymity; CSV."""

import csv
import io
from types import SimpleNamespace

import pytest
from django.utils.translation import gettext

from lms.sessions.brief import session_brief
from lms.surveys.brief import topic_demand, weak_spots
from tests.factories import EmployeeFactory
from tests.sessions.factories import SignUpFactory, known_brief
from tests.surveys.factories import SurveyResponseFactory

pytestmark = pytest.mark.django_db


def test_topic_demand_is_rank_weighted(course):
    known = known_brief(course)
    brief = session_brief(session=known.session)
    assert (brief.expected, brief.respondents, brief.response_rate) == (4, 3, 75.0)
    demand = [(d.label, d.points, d.count, d.percent) for d in brief.top_demand]
    assert demand == [
        ("贷前、贷中、贷后", 5, 3, 100.0),
        ("从案例中学习", 2, 1, 33.3),
        ("风险控制部的职责", 1, 1, 33.3),
    ]


def test_lowest_confidence_first(course):
    brief = session_brief(session=known_brief(course).session)
    assert [(c.label, c.average, c.ratings) for c in brief.lowest_confidence] == [
        ("风险控制部的职责", 2.0, 3),
        ("贷前、贷中、贷后", 4.0, 3),
        ("从案例中学习", 4.67, 3),
    ]


def test_choices_and_texts_grouped_by_topic(course):
    known = known_brief(course)
    brief = session_brief(session=known.session)
    single = next(s for s in brief.questions if s.question.pk == known.single.pk)
    assert [(o.label, o.count, o.percent) for o in single.options] == [
        ("有", 2, 66.7),
        ("没有", 1, 33.3),
    ]
    texts = next(s for s in brief.questions if s.question.pk == known.text.pk)
    assert [(g.label, [a.text for a in g.answers]) for g in texts.texts] == [
        ("贷前、贷中、贷后", ["贷前、贷中、贷后 的区别不清楚"]),
        (gettext("Other"), ['=HYPERLINK("x") 希望多讲案例']),
    ]
    assert all(a.respondent for g in texts.texts for a in g.answers)


def test_pure_demand_ignores_picks_beyond_the_limit():
    rows = topic_demand(max_choices=1, rankings=[["t1", "t2"]], topics=[("t1", "A"), ("t2", "B")])
    assert [(r.key, r.points, r.count) for r in rows] == [("t1", 1, 1), ("t2", 0, 0)]


def test_weak_spots_count_each_learners_latest_answer():
    def attempt(user, *results):
        return SimpleNamespace(
            user_id=user,
            lesson_title="贷前审核",
            quiz_title="风控测验",
            results=[{"id": q, "text": f"题{q}", "is_correct": ok} for q, ok in results],
        )

    attempts = [
        attempt(1, ("q1", False), ("q2", True)),
        attempt(1, ("q1", True), ("q2", True)),
        attempt(2, ("q1", False), ("q2", False)),
        attempt(3, ("q1", False)),
    ]
    assert [(w.question, w.answered, w.missed, w.share) for w in weak_spots(attempts=attempts)] == [
        ("题q1", 3, 2, 66.7),
        ("题q2", 2, 1, 50.0),
    ]


def test_weak_spots_are_grouped_by_the_questions_topic_else_by_lesson():
    from lms.surveys.brief import weak_spots_by_topic

    def attempt(user, *results):
        return SimpleNamespace(
            user_id=user,
            lesson_title="贷前审核",
            quiz_title="风控测验",
            results=[
                {"id": q, "text": f"题{q}", "is_correct": False, "topic": topic}
                for q, topic in results
            ],
        )

    attempts = [
        attempt(1, ("q1", "征信与大数据风控"), ("q2", "识别高风险项目"), ("q3", "")),
        attempt(2, ("q1", "征信与大数据风控"), ("q4", "征信与大数据风控")),
    ]
    groups = weak_spots_by_topic(weak_spots(attempts=attempts))
    assert [(topic, sorted(w.question for w in spots)) for topic, spots in groups] == [
        ("征信与大数据风控", ["题q1", "题q4"]),
        ("识别高风险项目", ["题q2"]),
        ("贷前审核", ["题q3"]),  # no topic: its lesson
    ]


def test_weak_spots_by_topic_through_the_real_grader(course, lesson):
    from lms.progress.services import quiz_attempt_submit
    from tests.courses.factories import QuestionBankFactory, QuizFactory, single, wrong_answers

    kind, value = single("征信报告看什么？", [("信用记录", True), ("星座", False)])
    quiz = QuizFactory(
        bank=QuestionBankFactory(
            course=course, questions=[(kind, {**value, "topic": "征信与大数据风控"})]
        ),
        pass_mark=100,
    )
    lesson.body = [("quiz", {"quiz": quiz, "intro": ""})]
    lesson.save_revision().publish()
    known = known_brief(course)
    known.session.prerequisite_courses.set([course])
    for user in known.people[:2]:
        ids = [block.id for block in quiz.bank.questions]
        quiz_attempt_submit(
            user=user, quiz=quiz, lesson=lesson, question_ids=ids, answers=wrong_answers(quiz)
        )
    brief = session_brief(session=known.session)
    assert [
        (topic, [(w.question, w.missed) for w in spots]) for topic, spots in brief.weak_spot_groups
    ] == [("征信与大数据风控", [("征信报告看什么？", 2)])]


def test_weak_spots_from_real_attempts_of_people_coming(course, quiz):
    import uuid

    from lms.progress.models import QuizAttempt

    known = known_brief(course)
    known.session.prerequisite_courses.set([course])
    known.session.save()
    outsider = EmployeeFactory().user
    for number, user in enumerate([*known.people[:2], outsider]):
        QuizAttempt.objects.create(
            user=user,
            quiz=quiz,
            quiz_key=uuid.uuid4(),
            course=course,
            number=1,
            quiz_title="风控测验",
            lesson_title="贷前审核",
            results=[{"id": "q1", "text": "征信报告看什么", "is_correct": number == 0}],
            correct_count=0,
            question_count=1,
            score=0,
            pass_mark=80,
            passed=False,
            attempt_limit=3,
        )
    spots = session_brief(session=known.session).weak_spots
    assert [(w.question, w.topic, w.answered, w.missed, w.share) for w in spots] == [
        ("征信报告看什么", "贷前审核", 2, 1, 50.0)
    ]


def assert_refused(response):
    """Wagtail turns PermissionDenied into a redirect to the dashboard with a message."""
    assert (response.status_code, response["Location"]) == (302, "/admin/")


def brief_url(known):
    return f"/admin/sessions/{known.session.pk}/brief/"


def test_brief_page_per_role(client, course, trainer, hr):
    known = known_brief(course, trainers=[trainer])
    url = brief_url(known)
    assert client.get(url).status_code == 302  # anonymous → sign in
    client.force_login(known.people[0])  # a learner coming to the session
    response = client.get(url)
    assert response.status_code == 302
    assert "贷前、贷中、贷后" not in response.content.decode()
    client.force_login(EmployeeFactory(roles=["Trainer"]).user)  # another session's trainer
    assert_refused(client.get(url))
    for user in (trainer, hr, EmployeeFactory(roles=["Admin"]).user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "<svg" in body and "75.0%" in body
    for suffix in ("brief.csv",):
        client.force_login(EmployeeFactory(roles=["Trainer"]).user)
        assert_refused(client.get(f"/admin/sessions/{known.session.pk}/{suffix}"))


def test_names_show_unless_anonymous(client, course, hr):
    client.force_login(hr)
    named = known_brief(course)
    name = named.people[0].employee.name
    assert name in client.get(brief_url(named)).content.decode()
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/admin/sessions/{named.session.pk}/brief.csv").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert name in rows[1][0]


def test_anonymous_survey_hides_names_in_answers_and_csv(client, course, hr):
    client.force_login(hr)
    known = known_brief(course, anonymous=True)
    body = client.get(brief_url(known)).content.decode()
    # Readiness still lists the one person who has not answered; answers carry no names.
    answered = [p.employee.name for p in known.people[:3]]
    texts = body.split("还有什么问题")[1].split("Readiness")[0] if "Readiness" in body else body
    assert not any(name in texts for name in answered)
    # … and the trainer is told what anonymous means here.
    assert "答案不显示姓名" in body and "仍会列出谁尚未作答" in body
    response = client.get(f"/admin/sessions/{known.session.pk}/brief.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 4
    assert not any(name in ",".join(row) for row in rows for name in answered)
    assert not any(p.employee.employee_no in ",".join(row) for row in rows for p in known.people)


def test_csv_cells_cannot_run_formulas(client, course, hr):
    client.force_login(hr)
    known = known_brief(course)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/admin/sessions/{known.session.pk}/brief.csv").content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("x") 希望多讲案例' in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    ranked = rows[0].index("想重点讲解的主题")
    assert rows[1][ranked] == "1. 贷前、贷中、贷后; 2. 风险控制部的职责"


def test_remind_sends_to_the_not_ready(
    client, course, hr, mailbox, django_capture_on_commit_callbacks
):
    known = known_brief(course)
    client.force_login(hr)
    waiting = known.people[3]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/sessions/{known.session.pk}/brief/remind/",
            {"user": [str(waiting.pk), "x", "99999999"]},
        )
    assert response.status_code == 302
    assert [m.to for m in mailbox] == [[waiting.email]]
    assert client.post(f"/admin/sessions/{known.session.pk}/brief/remind/", {}).status_code == 302


def test_brief_queries_do_not_grow_per_respondent(
    client, course, lesson, hr, django_assert_max_num_queries
):
    from lms.surveys.models import SurveyResponse
    from tests.sessions.factories import learner

    known = known_brief(course)
    known.session.prerequisite_courses.set([course])
    known.session.save()
    client.force_login(hr)
    with django_assert_max_num_queries(45) as few:
        assert client.get(brief_url(known)).status_code == 200
    answers = SurveyResponse.objects.filter(session=known.session).first().answers
    for _n in range(20):
        person = learner()
        SignUpFactory(session=known.session, user=person)
        SurveyResponseFactory(
            survey=known.survey, session=known.session, user=person, answers=answers
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(brief_url(known)).content.decode()
    assert "24" in body  # 23 respondents of 24 coming, same queries as for 3 of 4
