"""Quizzes from the phone: the paper, submitting answers, my attempts.

    GET  /api/v1/quizzes/{id or key}/            a fresh paper and my attempts used/left
    POST /api/v1/quizzes/{id or key}/attempts/   {"paper", "answers": {question: [option]}}
    GET  /api/v1/quizzes/{id or key}/attempts/   my attempts, newest first

Grading and attempt limits are `lms.progress.services.quiz_answers_submit`, the same
service the lesson page's quiz form uses; the quiz is found by
`lms.progress.selectors.learner_quiz_for`. Correct answers and explanations appear only in
attempts, that is after answers were submitted. A quiz is reachable only through a live
lesson the person may see; otherwise it is a 404 like a quiz that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from lms.api.v1.errors import errors
from lms.api.v1.serializers import QuizPaperOutput, quiz_paper_json
from lms.progress.models import QuizAttempt
from lms.progress.selectors import (
    learner_quiz_attempts_for,
    learner_quiz_for,
    learner_quiz_paper_for,
)
from lms.progress.services import QuizSubmissionError, quiz_answers_submit
from media.api_common import IdField, TextField, refuse_control_characters

MAX_ANSWERED_QUESTIONS = 200
MAX_OPTIONS_PER_ANSWER = 20

QUIZ_REF = OpenApiParameter(
    "quiz_ref",
    str,
    OpenApiParameter.PATH,
    description="The quiz's id, or its translation key (a UUID) for the reader's language.",
)


class QuizQueryInput(serializers.Serializer):
    lesson = IdField(
        required=False, help_text="The lesson showing the quiz, when the phone knows it."
    )


class QuizRefused(APIException):
    """A refusal of the quiz service or the grader, with its status, code and message."""

    def __init__(self, *, code: str, message: str, status_code: int) -> None:
        self.status_code = status_code
        super().__init__(detail=message, code=code)


def _lesson_param(request: Request) -> int | None:
    query = QuizQueryInput(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("lesson")


class AttemptInput(serializers.Serializer):
    paper = TextField(max_length=5000, help_text="The paper token of GET quiz.")
    answers = serializers.DictField(
        child=serializers.ListField(
            child=TextField(max_length=100), max_length=MAX_OPTIONS_PER_ANSWER
        ),
        help_text="Question id → chosen option ids.",
    )
    lesson = IdField(required=False)

    def validate_answers(self, value: dict[str, list[str]]) -> dict[str, list[str]]:
        refuse_control_characters(list(value))
        if len(value) > MAX_ANSWERED_QUESTIONS:
            raise serializers.ValidationError(
                _("Too many answers: a quiz has at most %(count)d questions.")
                % {"count": MAX_ANSWERED_QUESTIONS}
            )
        return value


class GradedOptionOutput(serializers.Serializer):
    id = serializers.CharField()
    text = serializers.CharField()
    correct = serializers.BooleanField()
    chosen = serializers.BooleanField()


class GradedQuestionOutput(serializers.Serializer):
    id = serializers.CharField()
    number = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    explanation = serializers.CharField(allow_blank=True)
    is_correct = serializers.BooleanField()
    options = GradedOptionOutput(many=True)


class AttemptOutput(serializers.ModelSerializer):
    quiz_key = serializers.UUIDField()
    lesson_id = serializers.IntegerField(allow_null=True)
    attempts_left = serializers.SerializerMethodField()
    results = GradedQuestionOutput(many=True)

    class Meta:
        model = QuizAttempt
        fields = [
            "id",
            "number",
            "quiz_key",
            "quiz_title",
            "lesson_id",
            "lesson_title",
            "score",
            "pass_mark",
            "passed",
            "correct_count",
            "question_count",
            "attempt_limit",
            "attempts_left",
            "submitted_at",
            "results",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_attempts_left(self, attempt: QuizAttempt) -> int | None:
        """Left after this attempt; null when unlimited."""
        if not attempt.attempt_limit:
            return None
        return max(attempt.attempt_limit - attempt.number, 0)


class QuizDetailApi(GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = QuizPaperOutput

    @extend_schema(
        parameters=[QUIZ_REF, QuizQueryInput],
        responses={200: QuizPaperOutput, **errors(400, 404)},
        summary="A fresh question paper and my attempts",
    )
    def get(self, request: Request, quiz_ref: str) -> Response:
        found = learner_quiz_paper_for(
            user=request.user, quiz_ref=quiz_ref, lesson_id=_lesson_param(request)
        )
        if found is None:
            raise NotFound()
        return Response(QuizPaperOutput(quiz_paper_json(found.paper, found.status)).data)


class QuizAttemptsApi(GenericAPIView):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AttemptOutput

    def get_queryset(self) -> Any:
        return QuizAttempt.objects.none()

    @extend_schema(
        parameters=[QUIZ_REF, QuizQueryInput],
        responses={200: AttemptOutput(many=True), **errors(400, 404)},
        summary="My attempts at a quiz",
    )
    def get(self, request: Request, quiz_ref: str) -> Response:
        attempts = learner_quiz_attempts_for(
            user=request.user, quiz_ref=quiz_ref, lesson_id=_lesson_param(request)
        )
        if attempts is None:
            raise NotFound()
        page = self.paginate_queryset(attempts)
        return self.get_paginated_response(AttemptOutput(page, many=True).data)

    @extend_schema(
        parameters=[QUIZ_REF],
        request=AttemptInput,
        responses={
            201: AttemptOutput,
            **errors(400, 404, 409, described={409: "No attempts left: error.code says why."}),
        },
        summary="Submit answers; get the graded attempt",
    )
    def post(self, request: Request, quiz_ref: str) -> Response:
        data = AttemptInput(data=request.data)
        data.is_valid(raise_exception=True)
        found = learner_quiz_for(
            user=request.user, quiz_ref=quiz_ref, lesson_id=data.validated_data.get("lesson")
        )
        if found is None:
            raise NotFound()
        try:
            attempt = quiz_answers_submit(
                user=request.user,
                quiz=found.quiz,
                lesson=found.lesson,
                paper=data.validated_data["paper"],
                answers=data.validated_data["answers"],
            )
        except QuizSubmissionError as exc:
            raise QuizRefused(code=exc.code, message=exc.message, status_code=exc.status) from exc
        return Response(AttemptOutput(attempt).data, status=status.HTTP_201_CREATED)
