"""Demo in-person sessions with sign-ups and survey answers, for seed_demo.

Two upcoming sessions from the seeds' workflow (section ㈥): 「信贷业务与风控基础」面授,
taught by demo.trainer, with most of the campus cohort's business hires signed up,
their survey answers and prerequisite quiz attempts, so its brief is full; and
「客户经理展业实务」, the 面授 item of the 客户经理 path, which demo.learner has signed up
for with the survey still to answer.

Everything is keyed on titles and people and only ever created: a second run (even
weeks later) changes nothing. Dates are set, relative to today, when a session is made.
"""

from __future__ import annotations

import datetime as dt
import random
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.demo.courses import SeedCounts, SeedReport
from lms.demo.org import CAMPUS_COHORT
from lms.org.models import Cohort, Employee
from lms.paths.models import LearningPath, PathItem, PathStage
from lms.sessions.models import InPersonSession, SessionPart, SignUp
from lms.sessions.services import session_survey_submit
from lms.surveys.models import Survey, SurveyQuestion, SurveyResponse
from lms.surveys.selectors import survey_topics
from lms.surveys.services import SurveyRefused, survey_add_default_questions

RISK_SESSION = "「信贷业务与风控基础」面授"
RISK_SURVEY = "「信贷业务与风控基础」训前调研"
RISK_COURSES = ("互联网金融基础（P2P、征信、风险控制）", "风险控制入门")
RISK_DEPARTMENTS = ("market", "risk-credit", "risk-post-loan")
SALES_SESSION = "「客户经理展业实务」面授"
SALES_SURVEY = "「客户经理展业实务」训前调研"
SALES_COURSE = "客户经理：客户开发与维护"
SALES_PATH = "客户经理入职路径"
SALES_PATH_SESSION_ITEM = "面授：客户开发实战演练"
SALES_PATH_SURVEY_ITEM = "训前调研：客户经理展业实务"
ROOM = "总部 12 楼 1201 培训室"
ADDRESS = "上海市浦东新区世纪大道 100 号"
SEED = 20261208

EXPERIENCE_QUESTION = "入职前，你做过信贷或风控相关的工作吗？"
EXPERIENCE_OPTIONS = ["没有", "实习接触过", "做过一年以内", "做过一年以上"]
TEXTS = [
    "征信与大数据风控在实际审批中怎么用？希望有真实案例。",
    "识别高风险项目有没有一份检查清单？",
    "P2P网络借贷与监管的最新政策，能否讲讲对我们业务的影响。",
    "贷前、贷中、贷后各环节客户经理要做什么，和风控怎么配合？",
    "希望多讲讲从案例中学习那部分，尤其是失败的项目。",
    "逾期客户一般是什么特征？",
    "互联网金融与金融互联网的区别还是没太懂。",
    "",
    "",
]


def _course(title: str) -> Any:
    from courses.models import CoursePage
    from courses.translation import canonical_page

    page = CoursePage.objects.live().filter(title=title).first()
    return canonical_page(page).specific if page is not None else None


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)


def _survey(title: str, course: Any, counts: SeedCounts, *, extra: bool) -> Survey:
    survey = Survey.objects.filter(title=title).first()
    if survey is not None:
        counts.unchanged += 1
        return survey
    survey = Survey.objects.create(
        title=title,
        course=course,
        intro="请在面授前花两分钟告诉讲师：你最希望重点讲解哪些主题，以及你对各主题的把握程度。",
    )
    survey_add_default_questions(survey=survey)
    if extra:
        SurveyQuestion.objects.create(
            survey=survey,
            kind=SurveyQuestion.Kind.SINGLE,
            prompt=EXPERIENCE_QUESTION,
            options="\n".join(EXPERIENCE_OPTIONS),
            sort_order=5,
        )
    counts.created += 1
    return survey


def _session(
    title: str, counts: SeedCounts, *, parts: list[tuple[dt.datetime, dt.datetime]], **values: Any
) -> InPersonSession:
    session = InPersonSession.objects.filter(title=title).first()
    if session is not None:
        counts.unchanged += 1
        return session
    many = {
        k: values.pop(k)
        for k in list(values)
        if k
        in ("trainers", "prerequisite_courses", "audience_cohorts", "audience_paths", "path_items")
    }
    session = InPersonSession.objects.create(title=title, room=ROOM, address=ADDRESS, **values)
    for number, (start, end) in enumerate(parts):
        SessionPart.objects.create(session=session, starts_at=start, ends_at=end, sort_order=number)
    for name, objects in many.items():
        getattr(session, name).set([o for o in objects if o is not None])
    session.save()
    # Record what the invites say, so a later change in the admin sends updates.
    from lms.sessions.services import session_saved

    session_saved(session=session)
    counts.created += 1
    return session


def _sign_up(
    session: InPersonSession, users: list[Any], counts: SeedCounts, now: dt.datetime
) -> None:
    have = set(SignUp.objects.filter(session=session).values_list("user_id", flat=True))
    new = [
        SignUp(
            session=session,
            user=user,
            status=SignUp.Status.CONFIRMED,
            queued_at=now + dt.timedelta(seconds=n),
        )
        for n, user in enumerate(users)
        if user.pk not in have
    ]
    SignUp.objects.bulk_create(new)
    counts.created += len(new)
    counts.unchanged += len(users) - len(new)


def _answers(survey: Survey, rng: random.Random, text: str) -> dict[str, Any]:
    topics = [key for key, _label in survey_topics(survey)]
    # A shared pattern, so the brief has a clear top topic and a clear weak one.
    weights = [1, 3, 5, 2][: len(topics)] + [1] * max(0, len(topics) - 4)
    answers: dict[str, Any] = {}
    for question in survey.questions.order_by("sort_order", "pk"):
        key = str(question.pk)
        if question.kind == SurveyQuestion.Kind.TOPICS_RANKED:
            pool, picked = list(topics), []
            for _n in range(min(question.max_choices, len(pool))):
                choice = rng.choices(pool, weights=[weights[topics.index(t)] for t in pool])[0]
                picked.append(choice)
                pool.remove(choice)
            answers[key] = picked
        elif question.kind == SurveyQuestion.Kind.TOPIC_CONFIDENCE:
            answers[key] = {
                t: max(1, min(5, round(rng.gauss(4.2 - 0.5 * weights[n], 0.8))))
                for n, t in enumerate(topics)
            }
        elif question.kind == SurveyQuestion.Kind.SINGLE:
            answers[key] = rng.choices(["o1", "o2", "o3", "o4"], weights=[5, 3, 2, 1])[0]
        elif question.kind == SurveyQuestion.Kind.TEXT:
            answers[key] = text
    return answers


def _respond(session: InPersonSession, users: list[Any], counts: SeedCounts) -> None:
    done = set(SurveyResponse.objects.filter(session=session).values_list("user_id", flat=True))
    for user in users:
        if user.pk in done:
            counts.unchanged += 1
            continue
        rng = random.Random(f"{SEED}-{session.title}-{user.username}")
        try:
            session_survey_submit(
                session=session, user=user, answers=_answers(session.survey, rng, rng.choice(TEXTS))
            )
        except SurveyRefused:
            continue  # after the survey deadline: leave it as it was
        counts.created += 1


def _quiz_attempts(courses: list[Any], users: list[Any], counts: SeedCounts) -> None:
    """One graded attempt per person and prerequisite quiz, through the real grader."""
    from courses.models import LessonPage
    from courses.quizzes import _options_with_answers
    from lms.progress.models import QuizAttempt
    from lms.progress.services import QuizSubmissionError, quiz_attempt_submit

    for course in courses:
        for lesson in LessonPage.objects.child_of(course).live().order_by("path"):
            for _block, quiz in lesson.quiz_blocks():
                blocks = list(quiz.bank.questions)
                tried = set(
                    QuizAttempt.objects.filter(
                        quiz_key=quiz.translation_key, user__in=users
                    ).values_list("user_id", flat=True)
                )
                for user in users:
                    if user.pk in tried:
                        counts.unchanged += 1
                        continue
                    rng = random.Random(f"{SEED}-{quiz.pk}-{user.username}")
                    answers = {}
                    for number, block in enumerate(blocks):
                        options = _options_with_answers(block)
                        right = [oid for oid, _t, correct in options if correct]
                        wrong = [oid for oid, _t, correct in options if not correct]
                        miss = (0.1, 0.55, 0.2, 0.7, 0.3)[number % 5]
                        answers[block.id] = (
                            [rng.choice(wrong)]
                            if wrong and rng.random() < miss
                            else right[:1]
                            if block.block_type != "multiple_choice"
                            else right
                        )
                    try:
                        quiz_attempt_submit(
                            user=user,
                            quiz=quiz,
                            lesson=lesson,
                            question_ids=[b.id for b in blocks],
                            answers=answers,
                        )
                    except QuizSubmissionError:
                        continue
                    counts.created += 1


def _sales_path_items(counts: SeedCounts) -> tuple[PathItem | None, PathItem | None]:
    path = LearningPath.objects.filter(name=SALES_PATH).first()
    if path is None:
        return None, None
    session_item = PathItem.objects.filter(
        stage__path=path, kind=PathItem.Kind.SESSION, title=SALES_PATH_SESSION_ITEM
    ).first()
    stage = (
        session_item.stage
        if session_item
        else PathStage.objects.filter(path=path).order_by("sort_order").first()
    )
    if stage is None:
        return session_item, None
    survey_item, created = PathItem.objects.get_or_create(
        stage=stage,
        kind=PathItem.Kind.SURVEY,
        title=SALES_PATH_SURVEY_ITEM,
        defaults={"due_days": 19, "sort_order": session_item.sort_order if session_item else 1},
    )
    counts.created += int(created)
    counts.unchanged += int(not created)
    if created:
        from lms.paths.services import paths_assign_for

        paths_assign_for(employees=Employee.objects.filter(enrolments__path=path).distinct())
    return session_item, survey_item


@transaction.atomic
def demo_sessions_seed() -> SeedReport:
    report = SeedReport(_("In-person sessions"))
    surveys = report.add(_("pre-training surveys"))
    sessions = report.add(_("in-person sessions"))
    signups = report.add(_("sign-ups"))
    responses = report.add(_("survey answers"))
    attempts = report.add(_("prerequisite quiz attempts"))
    User = get_user_model()
    trainer = User.objects.filter(username="demo.trainer").first()
    cohort = Cohort.objects.filter(name=CAMPUS_COHORT).first()
    now = timezone.now()

    risk_courses = [c for c in (_course(t) for t in RISK_COURSES) if c is not None]
    risk_survey = _survey(
        RISK_SURVEY, risk_courses[0] if risk_courses else None, surveys, extra=True
    )
    risk = _session(
        RISK_SESSION,
        sessions,
        parts=[(_at(5, 9, 30), _at(5, 17, 30)), (_at(6, 9, 30), _at(6, 12, 0))],
        description="两天面授：征信报告解读、贷前审核要点、风险案例复盘。请先完成两门线上课程并填写训前调研。",
        course=risk_courses[0] if risk_courses else None,
        capacity=30,
        survey=risk_survey,
        survey_deadline=_at(4, 18),
        prerequisites_by=InPersonSession.PrerequisitesBy.ATTENDING,
        trainers=[trainer],
        prerequisite_courses=risk_courses,
        audience_cohorts=[cohort],
    )
    learners = [
        e.user
        for e in Employee.objects.active()
        .filter(cohort=cohort, department__code__in=RISK_DEPARTMENTS)
        .exclude(user__username="demo.learner")
        .select_related("user")
        .order_by("employee_no")[:26]
    ]
    _sign_up(risk, learners, signups, now)
    _respond(risk, learners[:22], responses)
    _quiz_attempts(list(risk.prerequisite_courses.all()), learners[:20], attempts)

    session_item, survey_item = _sales_path_items(surveys)
    sales_course = _course(SALES_COURSE)
    sales_survey = _survey(SALES_SURVEY, sales_course, surveys, extra=False)
    if survey_item is not None and not sales_survey.path_items.filter(pk=survey_item.pk).exists():
        sales_survey.path_items.add(survey_item)
    sales = _session(
        SALES_SESSION,
        sessions,
        parts=[(_at(12, 14), _at(12, 17, 30))],
        description="客户开发实战演练：陌生拜访、需求挖掘、异议处理的角色扮演。",
        course=sales_course,
        capacity=12,
        survey=sales_survey,
        survey_deadline=_at(11, 18),
        trainers=[trainer],
        prerequisite_courses=[sales_course],
        audience_paths=list(LearningPath.objects.filter(name=SALES_PATH)),
        path_items=[session_item],
    )
    managers = [
        e.user
        for e in Employee.objects.active()
        .filter(cohort=cohort, department__code="market", position__name="客户经理")
        .select_related("user")
        .order_by("employee_no")
    ]
    _sign_up(sales, managers, signups, now)
    _respond(sales, [u for u in managers if u.username != "demo.learner"][:6], responses)
    return report
