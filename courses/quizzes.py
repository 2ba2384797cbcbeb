"""Question papers and grading: the quiz knowledge that only the server has.

A learner gets a *paper*: the questions drawn for this attempt, with option ids and texts
and nothing that tells which option is right. The paper's question ids travel back with
the answers inside a signed token, so the server grades exactly what it asked and a
learner cannot swap in questions of their choosing.

Grading is a pure function of the quiz, the paper and the answers; recording attempts and
enforcing attempt limits is the learning domain's job (`lms/progress/services.py`).
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

from courses.blocks import QuestionKind
from courses.models import LessonPage, Quiz

PAPER_SALT = "onramp.courses.quiz-paper"
PAPER_MAX_AGE = 7 * 24 * 60 * 60  # seconds: a lesson left open for a week still submits
TRUE_FALSE_OPTIONS = ("true", "false")


class QuizAnswerError(Exception):
    """Answers that cannot be graded; `message` says why, in the active language."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PaperOption:
    id: str
    text: str


@dataclass(frozen=True)
class PaperQuestion:
    id: str
    number: int
    kind: str
    text: str
    options: tuple[PaperOption, ...]

    @property
    def is_multiple(self) -> bool:
        return self.kind == QuestionKind.MULTIPLE


@dataclass(frozen=True)
class QuizPaper:
    quiz: Quiz
    questions: tuple[PaperQuestion, ...]
    token: str


def _true_false_labels() -> dict[str, str]:
    return {"true": _("True"), "false": _("False")}


def _choice_options(block: Any) -> list[tuple[str, str, bool]]:
    """(id, text, correct) of a choice question's options, in the author's order."""
    return [
        (child.id, child.value["text"], bool(child.value["correct"]))
        for child in block.value["options"].bound_blocks
    ]


def _options_with_answers(block: Any) -> list[tuple[str, str, bool]]:
    if block.block_type == QuestionKind.TRUE_FALSE:
        labels = _true_false_labels()
        return [(key, labels[key], block.value["answer"] == key) for key in TRUE_FALSE_OPTIONS]
    return _choice_options(block)


def quiz_paper_for(
    *, quiz: Quiz, user_id: int | None, rng: random.Random | None = None
) -> QuizPaper:
    """Draw the questions of one attempt and sign their ids for this user."""
    rng = rng or random.Random()
    blocks = list(quiz.bank.questions)
    if quiz.question_count and quiz.question_count < len(blocks):
        # Keep the bank's order unless shuffling: a sample in order reads naturally.
        chosen = set(rng.sample(range(len(blocks)), quiz.question_count))
        blocks = [block for i, block in enumerate(blocks) if i in chosen]
    if quiz.shuffle_questions:
        rng.shuffle(blocks)
    questions = []
    for number, block in enumerate(blocks, start=1):
        options = [PaperOption(id=oid, text=text) for oid, text, _c in _options_with_answers(block)]
        if quiz.shuffle_options and block.block_type != QuestionKind.TRUE_FALSE:
            rng.shuffle(options)
        questions.append(
            PaperQuestion(
                id=block.id,
                number=number,
                kind=block.block_type,
                text=block.value["text"],
                options=tuple(options),
            )
        )
    token = signing.dumps(
        {"quiz": quiz.pk, "user": user_id, "questions": [q.id for q in questions]},
        salt=PAPER_SALT,
        compress=True,
    )
    return QuizPaper(quiz=quiz, questions=tuple(questions), token=token)


def lesson_quiz_papers(*, lesson: LessonPage, user_id: int | None) -> dict[str, QuizPaper]:
    """A question paper per quiz block, in the reader's language, keyed by block id."""
    return {
        block_id: quiz_paper_for(quiz=quiz.localized, user_id=user_id)
        for block_id, quiz in lesson.quiz_blocks()
    }


def quiz_paper_question_ids(*, token: str, quiz: Quiz, user_id: int) -> list[str]:
    """The question ids a paper token was issued with, if it is this user's paper of this quiz."""
    try:
        data = signing.loads(token, salt=PAPER_SALT, max_age=PAPER_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise QuizAnswerError(
            "paper_expired", _("This quiz page is too old. Reload the lesson and answer again.")
        ) from exc
    except signing.BadSignature as exc:
        raise QuizAnswerError(
            "bad_paper", _("This quiz form is not valid. Reload the lesson and answer again.")
        ) from exc
    if not isinstance(data, dict):
        data = {}
    questions = data.get("questions")
    if (
        data.get("quiz") != quiz.pk
        or data.get("user") != user_id
        or not isinstance(questions, list)
        or not all(isinstance(q, str) for q in questions)
    ):
        raise QuizAnswerError(
            "bad_paper", _("This quiz form is not valid. Reload the lesson and answer again.")
        )
    return questions


@dataclass(frozen=True)
class GradedOption:
    id: str
    text: str
    correct: bool
    chosen: bool


@dataclass(frozen=True)
class GradedQuestion:
    id: str
    number: int
    kind: str
    text: str
    explanation: str
    options: tuple[GradedOption, ...]
    is_correct: bool
    topic: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "kind": self.kind,
            "text": self.text,
            "explanation": self.explanation,
            "is_correct": self.is_correct,
            "topic": self.topic,
            "options": [
                {"id": o.id, "text": o.text, "correct": o.correct, "chosen": o.chosen}
                for o in self.options
            ],
        }


@dataclass(frozen=True)
class GradedPaper:
    questions: tuple[GradedQuestion, ...]
    pass_mark: int

    @property
    def total(self) -> int:
        return len(self.questions)

    @property
    def correct_count(self) -> int:
        return sum(1 for q in self.questions if q.is_correct)

    @property
    def score(self) -> int:
        """Percent correct, rounded down: 79.9 % does not pass an 80 % mark."""
        return self.correct_count * 100 // self.total if self.total else 0

    @property
    def passed(self) -> bool:
        return self.total > 0 and self.score >= self.pass_mark


def quiz_grade(
    *, quiz: Quiz, question_ids: Sequence[str], answers: Mapping[str, Sequence[str]]
) -> GradedPaper:
    """Check the answers to a paper against the bank. Raises QuizAnswerError, never guesses."""
    bank = quiz.bank.questions_by_id
    if not question_ids or any(qid not in bank for qid in question_ids):
        raise QuizAnswerError(
            "quiz_changed",
            _("The quiz was changed after you opened it. Reload the lesson and answer again."),
        )
    unknown = set(answers) - set(question_ids)
    if unknown:
        raise QuizAnswerError(
            "unknown_question", _("The answers name a question that is not on this quiz.")
        )
    graded = []
    missing = []
    for number, qid in enumerate(question_ids, start=1):
        block = bank[qid]
        options = _options_with_answers(block)
        chosen = list(dict.fromkeys(answers.get(qid) or ()))
        if not chosen:
            missing.append(number)
            continue
        known = {oid for oid, _text, _correct in options}
        if any(oid not in known for oid in chosen):
            raise QuizAnswerError(
                "unknown_option",
                _("Question %(number)d has an answer that is not one of its options.")
                % {"number": number},
            )
        if block.block_type != QuestionKind.MULTIPLE and len(chosen) > 1:
            raise QuizAnswerError(
                "too_many_answers",
                _("Question %(number)d takes one answer only.") % {"number": number},
            )
        correct = {oid for oid, _text, is_correct in options if is_correct}
        graded.append(
            GradedQuestion(
                id=qid,
                number=number,
                kind=block.block_type,
                text=block.value["text"],
                explanation=block.value["explanation"] or "",
                options=tuple(
                    GradedOption(id=oid, text=text, correct=is_correct, chosen=oid in chosen)
                    for oid, text, is_correct in options
                ),
                is_correct=set(chosen) == correct,
                topic=(block.value.get("topic") or "").strip(),
            )
        )
    if missing:
        raise QuizAnswerError(
            "missing_answer",
            _("Answer every question before submitting: %(numbers)s left unanswered.")
            % {"numbers": ", ".join(str(n) for n in missing)},
        )
    return GradedPaper(questions=tuple(graded), pass_mark=quiz.pass_mark)
