"""The trainer's brief: survey answers aggregated, quiz weak spots, who is not ready.

The aggregation functions are pure (answers in, numbers out) so their arithmetic is
tested on known answers; `lms.sessions.brief.session_brief` gathers the facts for one
session (the sessions app sits above this one and knows its sign-ups).

Rules, stated once:
- Topic demand: a topic ranked r-th of a question allowing N picks gets N - r + 1
  points (first choice N, last 1). Count = respondents who picked it; percent = count /
  respondents to the survey, one decimal.
- Confidence: the mean of the 1–5 ratings a topic got; lowest first.
- Weak spots: per quiz question of the prerequisite courses, each learner's latest
  graded answer; share missed = learners whose latest answer was wrong / learners who
  answered it. Grouped by the question's topic, else by its lesson.
- Anonymous surveys: nothing shown ties an answer to a person. No names, times or
  order of answering; free text in the order of its content; a question answered by
  fewer than ANONYMOUS_MIN_RESPONDENTS people (and a topic rated by fewer) shows no
  result, since with one or two answers and the readiness list, who said what is
  plain. Readiness still says who has not answered, so reminders reach them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext as _

from lms.surveys.models import SurveyQuestion, SurveyResponse

Kind = SurveyQuestion.Kind
ANONYMOUS_MIN_RESPONDENTS = 3


def hidden_notice() -> str:
    return _("Fewer than %(count)d people answered: the results are not shown.") % {
        "count": ANONYMOUS_MIN_RESPONDENTS
    }


@dataclass(frozen=True)
class TopicDemand:
    key: str
    label: str
    points: int
    count: int
    percent: float


@dataclass(frozen=True)
class TopicConfidence:
    key: str
    label: str
    average: float
    ratings: int


@dataclass(frozen=True)
class OptionCount:
    key: str
    label: str
    count: int
    percent: float


@dataclass(frozen=True)
class TextAnswer:
    text: str
    respondent: str  # empty when the survey is anonymous


@dataclass
class TextGroup:
    label: str
    answers: list[TextAnswer] = field(default_factory=list)


@dataclass(frozen=True)
class WeakSpot:
    question: str
    topic: str
    answered: int
    missed: int
    share: float


@dataclass(frozen=True)
class Readiness:
    user_id: int
    name: str
    status: str
    prerequisites_missing: tuple[str, ...]
    survey_done: bool

    @property
    def ready(self) -> bool:
        return not self.prerequisites_missing and self.survey_done


def percent_of(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def topic_demand(
    *, max_choices: int, rankings: Sequence[Sequence[str]], topics: Sequence[tuple[str, str]]
) -> list[TopicDemand]:
    respondents = len(rankings)
    points: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for ranking in rankings:
        for rank, key in enumerate(ranking[:max_choices], start=1):
            points[key] += max_choices - rank + 1
            counts[key] += 1
    order = {key: n for n, (key, _label) in enumerate(topics)}
    rows = [
        TopicDemand(key, label, points[key], counts[key], percent_of(counts[key], respondents))
        for key, label in topics
    ]
    return sorted(rows, key=lambda r: (-r.points, -r.count, order[r.key]))


def topic_confidence(
    *, ratings: Sequence[dict[str, int]], topics: Sequence[tuple[str, str]]
) -> list[TopicConfidence]:
    given: dict[str, list[int]] = defaultdict(list)
    for answer in ratings:
        for key, value in answer.items():
            given[key].append(value)
    order = {key: n for n, (key, _label) in enumerate(topics)}
    rows = [
        TopicConfidence(key, label, round(sum(given[key]) / len(given[key]), 2), len(given[key]))
        for key, label in topics
        if given[key]
    ]
    return sorted(rows, key=lambda r: (r.average, order[r.key]))


def option_counts(
    *, answers: Sequence[Any], choices: Sequence[tuple[str, str]], respondents: int
) -> list[OptionCount]:
    counts: dict[str, int] = defaultdict(int)
    for answer in answers:
        for key in answer if isinstance(answer, list) else [answer]:
            counts[key] += 1
    return [
        OptionCount(key, label, counts[key], percent_of(counts[key], respondents))
        for key, label in choices
    ]


def texts_by_topic(
    *, texts: Sequence[TextAnswer], topics: Sequence[tuple[str, str]]
) -> list[TextGroup]:
    """Each answer under every topic it names (case-insensitive), else under "Other"."""
    groups = {key: TextGroup(label) for key, label in topics}
    other = TextGroup(_("Other"))
    for answer in texts:
        lowered = answer.text.casefold()
        hits = [key for key, label in topics if label and label.casefold() in lowered]
        for key in hits:
            groups[key].answers.append(answer)
        if not hits:
            other.answers.append(answer)
    return [g for g in (*groups.values(), other) if g.answers]


def weak_spots(*, attempts: Iterable[Any], limit: int = 10) -> list[WeakSpot]:
    """From quiz attempts, oldest first: each learner's latest answer to each question."""
    latest: dict[tuple[str, int], bool] = {}
    about: dict[str, tuple[str, str]] = {}
    for attempt in attempts:
        for result in attempt.results or []:
            question_id = str(result.get("id", ""))
            if not question_id:
                continue
            latest[(question_id, attempt.user_id)] = bool(result.get("is_correct"))
            # Grouped by the question's topic; questions without one (and attempts graded
            # before questions had topics) by their lesson.
            about[question_id] = (
                str(result.get("text", "")),
                str(result.get("topic") or "") or attempt.lesson_title or attempt.quiz_title,
            )
    answered: dict[str, int] = defaultdict(int)
    missed: dict[str, int] = defaultdict(int)
    for (question_id, _user), correct in latest.items():
        answered[question_id] += 1
        if not correct:
            missed[question_id] += 1
    rows = [
        WeakSpot(
            about[q][0], about[q][1], answered[q], missed[q], percent_of(missed[q], answered[q])
        )
        for q in answered
        if missed[q]
    ]
    rows.sort(key=lambda r: (-r.share, -r.missed, r.topic, r.question))
    return rows[:limit]


def weak_spots_by_topic(spots: Sequence[WeakSpot]) -> list[tuple[str, list[WeakSpot]]]:
    groups: dict[str, list[WeakSpot]] = {}
    for spot in spots:
        groups.setdefault(spot.topic, []).append(spot)
    return list(groups.items())


# --- one session's brief -------------------------------------------------------------


@dataclass
class QuestionSummary:
    question: SurveyQuestion
    kind: str
    answered: int = 0
    hidden: bool = False  # an anonymous survey's question with too few answers
    demand: list[TopicDemand] = field(default_factory=list)
    confidence: list[TopicConfidence] = field(default_factory=list)
    options: list[OptionCount] = field(default_factory=list)
    texts: list[TextGroup] = field(default_factory=list)


@dataclass
class Brief:
    session: Any
    anonymous: bool
    expected: int
    respondents: int
    response_rate: float
    questions: list[QuestionSummary]
    weak_spots: list[WeakSpot]
    readiness: list[Readiness]
    feedback_count: int
    feedback_average: float | None
    feedback_comments: list[str]
    generated_at: dt.datetime

    @property
    def not_ready(self) -> list[Readiness]:
        return [r for r in self.readiness if not r.ready]

    @property
    def top_demand(self) -> list[TopicDemand]:
        for summary in self.questions:
            if summary.demand:
                return summary.demand
        return []

    @property
    def lowest_confidence(self) -> list[TopicConfidence]:
        for summary in self.questions:
            if summary.confidence:
                return summary.confidence[:3]
        return []

    @property
    def weak_spot_groups(self) -> list[tuple[str, list[WeakSpot]]]:
        return weak_spots_by_topic(self.weak_spots)

    def as_json(self) -> dict[str, Any]:
        return {
            "session": self.session.pk,
            "anonymous": self.anonymous,
            "expected": self.expected,
            "respondents": self.respondents,
            "response_rate": self.response_rate,
            "questions": [
                {
                    "id": s.question.pk,
                    "kind": s.kind,
                    "prompt": s.question.prompt,
                    "answered": s.answered,
                    "hidden": s.hidden,
                    "notice": hidden_notice() if s.hidden else "",
                    "demand": [asdict(d) for d in s.demand],
                    "confidence": [asdict(c) for c in s.confidence],
                    "options": [asdict(o) for o in s.options],
                    "texts": [
                        {"topic": g.label, "answers": [asdict(a) for a in g.answers]}
                        for g in s.texts
                    ],
                }
                for s in self.questions
            ],
            "weak_spots": [asdict(w) for w in self.weak_spots],
            "readiness": [
                {
                    **asdict(r),
                    "prerequisites_missing": list(r.prerequisites_missing),
                    "ready": r.ready,
                }
                for r in self.readiness
            ],
            "feedback": {
                "count": self.feedback_count,
                "average": self.feedback_average,
                "comments": self.feedback_comments,
            },
            "generated_at": self.generated_at.isoformat(),
        }


def person_label(user: AbstractBaseUser) -> str:
    employee = getattr(user, "employee", None)
    if employee is not None:
        return f"{employee.name} ({employee.employee_no})"
    return user.get_full_name() or user.get_username()


def session_responses(session: Any) -> list[SurveyResponse]:
    if session.survey_id is None:
        return []
    return list(
        SurveyResponse.objects.filter(survey_id=session.survey_id, session=session)
        .select_related("user__employee")
        .order_by("submitted_at", "pk")
    )


def texts_by_content(texts: Iterable[Any]) -> list[str]:
    """Free text in an order that says nothing about who wrote it, or when."""
    return sorted((str(t) for t in texts), key=lambda t: (t.casefold(), t))


def readiness_of(session: Any, signups: list[Any], responded: set[int]) -> list[Readiness]:
    """Who has not finished the prerequisites or the survey, in a fixed number of queries.

    The completion rule is lms.progress's own (`course_completion`); only the facts it
    needs (watched percentages, passed quizzes) are read for everyone at once.
    """
    from lms.progress.completion import course_completion, course_requirements
    from lms.progress.models import QuizAttempt, VideoWatch

    user_ids = [s.user_id for s in signups]
    requirements = [
        (course, course_requirements(course)) for course in session.prerequisite_courses.all()
    ]
    lessons = {v.lesson_id for _c, needs in requirements for v in needs.videos}
    keys = {q.quiz_key for _c, needs in requirements for q in needs.quizzes}
    watched: dict[int, dict[tuple[int, int], float]] = defaultdict(dict)
    if lessons and user_ids:
        for user_id, lesson_id, video_id, percent in VideoWatch.objects.filter(
            user_id__in=user_ids, lesson_id__in=lessons
        ).values_list("user_id", "lesson_id", "video_id", "percent"):
            watched[user_id][(lesson_id, video_id)] = percent
    passed: dict[int, set[Any]] = defaultdict(set)
    if keys and user_ids:
        for user_id, key in (
            QuizAttempt.objects.filter(user_id__in=user_ids, quiz_key__in=keys, passed=True)
            .values_list("user_id", "quiz_key")
            .distinct()
        ):
            passed[user_id].add(key)
    rows = []
    for signup in signups:
        missing = [
            course.title
            for course, needs in requirements
            if not course_completion(
                requirements=needs,
                watched_percent=watched[signup.user_id],
                passed_quiz_keys=passed[signup.user_id],
            ).complete
        ]
        rows.append(
            Readiness(
                user_id=signup.user_id,
                name=person_label(signup.user),
                status=signup.get_status_display(),
                prerequisites_missing=tuple(missing),
                survey_done=session.survey_id is None or signup.user_id in responded,
            )
        )
    rows.sort(key=lambda r: (r.ready, r.name))
    return rows
