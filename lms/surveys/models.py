"""Pre-training surveys (训前调研): questions a trainer writes, and the learners' answers.

A survey is written once (often from a course's topic list) and linked to one or more
in-person sessions; each signed-up learner answers it once per session and may edit
the answer until the session's survey deadline.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, PageChooserPanel
from wagtail.models import Orderable

# A topic choice is keyed by the course topic's id, an option by its line number, so
# that answers survive a trainer fixing a typo in a label.
TOPIC_PREFIX = "t"
OPTION_PREFIX = "o"
CONFIDENCE_SCALE = (1, 2, 3, 4, 5)


class Survey(ClusterableModel):
    """A pre-training survey, e.g. 「信贷业务与风控基础」训前调研."""

    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True)
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Its topic list is offered as the choices of the topic questions."),
    )
    is_anonymous = models.BooleanField(
        _("anonymous"),
        default=False,
        help_text=_("Trainers see the answers without the learners' names."),
    )
    path_items = ParentalManyToManyField(
        "paths.PathItem",
        verbose_name=_("completes path items"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "survey"},
        help_text=_(
            "Path items of kind 'pre-training survey' that answering this survey completes."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("intro"),
        PageChooserPanel("course", page_type="courses.CoursePage"),
        FieldPanel("is_anonymous"),
        FieldPanel("path_items"),
        InlinePanel(
            "questions",
            heading=_("Questions"),
            label=_("Question"),
            help_text=_(
                "Leave empty and save: the survey gets the standard questions from the "
                "course's topics."
            ),
        ),
    ]

    class Meta:
        verbose_name = _("pre-training survey")
        verbose_name_plural = _("pre-training surveys")
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(Orderable):
    """One question of a survey."""

    class Kind(models.TextChoices):
        TOPICS_RANKED = "topics_ranked", _("Topics to explain in detail (ranked)")
        TOPIC_CONFIDENCE = "topic_confidence", _("Confidence per topic (1–5)")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        TEXT = "text", _("Free text")

    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    prompt = models.CharField(_("question"), max_length=300)
    options = models.TextField(
        _("options"),
        blank=True,
        help_text=_("For single and multiple choice: one option per line."),
    )
    max_choices = models.PositiveSmallIntegerField(
        _("choose up to"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("For ranked topics and multiple choice."),
    )
    required = models.BooleanField(_("required"), default=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("max_choices"), FieldPanel("required")]),
        FieldPanel("prompt"),
        FieldPanel("options"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")

    def __str__(self) -> str:
        return self.prompt

    @property
    def is_topic_question(self) -> bool:
        return self.kind in (self.Kind.TOPICS_RANKED, self.Kind.TOPIC_CONFIDENCE)

    def option_choices(self) -> list[tuple[str, str]]:
        lines = [line.strip() for line in self.options.splitlines() if line.strip()]
        return [(f"{OPTION_PREFIX}{n}", line) for n, line in enumerate(lines, start=1)]

    def clean(self) -> None:
        if self.kind in (self.Kind.SINGLE, self.Kind.MULTIPLE) and len(self.option_choices()) < 2:
            raise ValidationError({"options": _("Give at least two options, one per line.")})


class SurveyResponse(models.Model):
    """One learner's answers to a survey for one session; edited in place until the deadline."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="responses"
    )
    session = models.ForeignKey(
        "training_sessions.InPersonSession",
        verbose_name=_("in-person session"),
        on_delete=models.CASCADE,
        related_name="survey_responses",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    # {question id (str): answer}; the shape per kind is checked by surveys.services.
    answers = models.JSONField(_("answers"), default=dict)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                "survey", "session", "user", name="surveys_response_once_per_session"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.user}"

    def answer(self, question_id: int) -> Any:
        return self.answers.get(str(question_id))
