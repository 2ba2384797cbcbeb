"""What learners did: quiz attempts (watched ranges and completions come with issue 6).

Progress points at the course and lesson pages by id, always the page in the site's
default language (a learner reading the English translation makes progress on the same
course), and keeps its own copy of what was asked and answered: editing or deleting a
lesson or a quiz never rewrites or deletes anyone's history.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class QuizAttemptQuerySet(models.QuerySet["QuizAttempt"]):
    def of(self, user: object) -> QuizAttemptQuerySet:
        return self.filter(user=user)

    def for_quiz_key(self, quiz_key: uuid.UUID) -> QuizAttemptQuerySet:
        return self.filter(quiz_key=quiz_key)

    def passed(self) -> QuizAttemptQuerySet:
        return self.filter(passed=True)


class QuizAttempt(models.Model):
    """One graded submission of a quiz by a learner."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="quiz_attempts",
    )
    quiz = models.ForeignKey(
        "courses.Quiz",
        verbose_name=_("quiz"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The quiz's translation key: attempt limits and "passed" count across languages.
    quiz_key = models.UUIDField(_("quiz key"), db_index=True)
    course = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("course"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lesson = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("lesson"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    quiz_title = models.CharField(_("quiz title"), max_length=255)
    lesson_title = models.CharField(_("lesson title"), max_length=255, blank=True)
    answers = models.JSONField(_("answers"), default=dict)
    results = models.JSONField(_("graded questions"), default=list)
    correct_count = models.PositiveSmallIntegerField(_("correct answers"))
    question_count = models.PositiveSmallIntegerField(_("questions"))
    score = models.PositiveSmallIntegerField(_("score (%)"))
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"))
    passed = models.BooleanField(_("passed"))
    attempt_limit = models.PositiveSmallIntegerField(_("attempts allowed"))
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)

    objects = QuizAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            # Two tabs submitting at once cannot both become attempt 3 of 3.
            models.UniqueConstraint(
                "user", "quiz_key", "number", name="progress_quizattempt_unique_number"
            ),
        ]
        indexes = [models.Index(fields=["user", "course"], name="progress_attempt_user_course")]

    def __str__(self) -> str:
        return f"{self.quiz_title} #{self.number} ({self.score}%)"


class LearnerProgressLock(models.Model):
    """One row per learner, locked while their event batch is applied.

    Two copies of the same batch sent at once (a retry racing the original) are
    applied one after the other, so the second finds every event already there.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", primary_key=True
    )

    def __str__(self) -> str:
        return str(self.user_id)


class ProgressEvent(models.Model):
    """An event as the phone sent it, kept for idempotency and audit."""

    class Type(models.TextChoices):
        VIDEO_WATCHED = "video.watched", _("Video range watched")
        VIDEO_POSITION = "video.position", _("Video position")
        LESSON_VIEWED = "lesson.viewed", _("Lesson viewed")
        CHECKLIST_TICKED = "checklist.ticked", _("Checklist task ticked")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="progress_events"
    )
    client_id = models.UUIDField(_("client event id"))
    type = models.CharField(_("type"), max_length=30, choices=Type.choices)
    lesson_id = models.IntegerField(_("lesson"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict)
    client_time = models.DateTimeField(_("time on the phone"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("progress event")
        verbose_name_plural = _("progress events")
        constraints = [
            models.UniqueConstraint("user", "client_id", name="progress_event_unique_client_id"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.client_id}"


class VideoWatch(models.Model):
    """How much of one lesson's video one learner has played, and where they stopped."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="video_watches"
    )
    lesson = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("lesson"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    video_id = models.IntegerField(_("video"))
    # Merged, sorted [start, end] second pairs: "watched 90 %" means 90 % was played.
    ranges = models.JSONField(_("watched ranges"), default=list)
    # Reported as watched but not credited yet: more than the time since the video was
    # first sent to this person allows (lms/progress/events.py). Credited by a later
    # batch once the clock allows; never counted towards anything before that.
    uncredited_ranges = models.JSONField(_("watched ranges not credited yet"), default=list)
    duration = models.FloatField(_("duration (seconds)"))
    watched_seconds = models.FloatField(_("seconds watched"), default=0)
    percent = models.FloatField(_("watched (%)"), default=0)
    last_position = models.FloatField(_("resume at (seconds)"), default=0)
    position_client_time = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("video watch")
        verbose_name_plural = _("video watches")
        constraints = [
            models.UniqueConstraint(
                "user", "lesson", "video_id", name="progress_videowatch_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.video_id}: {self.percent:.0f}%"
