"""Serializers more than one endpoint answers with: a quiz's question paper.

The paper is a block of `GET /api/v1/lessons/{id}/` and the whole answer of
`GET /api/v1/quizzes/{id or key}/`; it lives here so neither view module imports the other.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from courses.quizzes import QuizPaper
from lms.progress.selectors import QuizStatus


class PaperOptionOutput(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()


class PaperQuestionOutput(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["single_choice", "multiple_choice", "true_false"])
    text = serializers.CharField()
    options = PaperOptionOutput(many=True)


class QuizPaperOutput(serializers.Serializer):
    """A question paper: no correct answers, no explanations."""

    id = serializers.IntegerField()
    key = serializers.UUIDField()
    title = serializers.CharField()
    pass_mark = serializers.IntegerField()
    attempt_limit = serializers.IntegerField(help_text="0 = unlimited.")
    attempts_used = serializers.IntegerField()
    attempts_left = serializers.IntegerField(allow_null=True, help_text="null = unlimited.")
    passed = serializers.BooleanField()
    best_score = serializers.IntegerField(allow_null=True)
    paper = serializers.CharField(help_text="Send back with the answers.")
    questions = PaperQuestionOutput(many=True)


def quiz_paper_json(paper: QuizPaper, status: QuizStatus) -> dict[str, Any]:
    quiz = paper.quiz
    return {
        "id": quiz.pk,
        "key": str(quiz.translation_key),
        "title": quiz.title,
        "pass_mark": quiz.pass_mark,
        "attempt_limit": quiz.attempt_limit,
        "attempts_used": status.attempts_used,
        "attempts_left": status.attempts_left,
        "passed": status.passed,
        "best_score": status.best_score,
        "paper": paper.token,
        "questions": [
            {
                "id": q.id,
                "number": q.number,
                "kind": q.kind,
                "text": q.text,
                "options": [{"id": o.id, "text": o.text} for o in q.options],
            }
            for q in paper.questions
        ],
    }
