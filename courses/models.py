"""Courses as Wagtail pages, and the quizzes and question banks they use.

Tree: site home → `CourseIndexPage` (课程) → `CoursePage` → `LessonPage`.

Who may see a course is decided by the learning domain (`lms/paths/access.py`), which
Wagtail content never imports: pages ask through the `ACCESS_HOOK` Wagtail hook, and the
learner pages' progress facts arrive through `PAGE_CONTEXT_HOOK` (see courses/hooks.py).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import HttpRequest
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.documents import get_document_model
from wagtail.fields import RichTextField, StreamField
from wagtail.images import get_image_model_string
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index

from courses import hooks as course_hooks
from courses.blocks import LessonBodyBlock, QuestionKind, QuestionStreamBlock
from courses.search import cjk_ngrams, plain_text


def _teaching_languages() -> list[tuple[str, str]]:
    return list(settings.LANGUAGES)


# --- pages ---------------------------------------------------------------------------


class CourseIndexPage(Page):
    """All courses (课程): one per language tree, directly under the site's home page."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("course index")
        verbose_name_plural = _("course indexes")

    def courses(self) -> models.QuerySet[CoursePage]:
        return (
            CoursePage.objects.child_of(self)
            .live()
            .select_related("cover_image")
            .prefetch_related("visible_to_groups")
            .order_by("path")
        )

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        user = getattr(request, "user", None)
        context["courses"] = [
            course for course in self.courses() if course_hooks.can_view_course(user, course)
        ]
        return course_hooks.add_page_context(request, self, context)


class CourseVisibility(models.TextChoices):
    STAFF = "staff", _("Everyone on staff")
    PATH = "path", _("Only people whose learning path includes it")
    GROUPS = "groups", _("Only the groups chosen below")


class CoursePageForm(WagtailAdminPageForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("visibility") == CourseVisibility.GROUPS and not cleaned.get(
            "visible_to_groups"
        ):
            self.add_error(
                "visible_to_groups", _("Choose at least one group, or another visibility.")
            )
        return cleaned


class CoursePage(Page):
    """A course (课程) under the course index; its children are its lessons, in order."""

    summary = models.TextField(
        _("summary"), max_length=500, help_text=_("One or two sentences for the course list.")
    )
    cover_image = models.ForeignKey(
        get_image_model_string(),
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated duration (minutes)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to add up the lessons' estimates."),
    )
    language = models.CharField(
        _("teaching language"),
        max_length=10,
        choices=_teaching_languages,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The language spoken in the recordings. The language of this page's text is its "
            "locale; translate the course to offer the text in another language."
        ),
    )
    audience = models.TextField(
        _("audience"),
        blank=True,
        help_text=_("Who the course is meant for, e.g. new customer managers in 市场拓展部."),
    )
    visibility = models.CharField(
        _("who can see it"),
        max_length=10,
        choices=CourseVisibility.choices,
        default=CourseVisibility.STAFF,
        help_text=_("Trainers, HR and administrators always see every course."),
    )
    # Compliance courses want every minute watched: the player then refuses to seek past
    # the furthest point the learner has played.
    no_skipping = models.BooleanField(
        _("no skipping"),
        default=False,
        help_text=_(
            "Learners cannot skip ahead in this course's videos beyond what they have "
            "already watched."
        ),
    )
    # Django groups rather than departments or cohorts: Wagtail content never depends on
    # the learning domain's models, and HR can make a group for any audience.
    visible_to_groups = ParentalManyToManyField(
        Group,
        verbose_name=_("groups"),
        blank=True,
        related_name="+",
        help_text=_("Used when only chosen groups can see the course."),
    )

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]
    base_form_class = CoursePageForm
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("audience"),
        index.RelatedFields("topics", [index.SearchField("title")]),
        index.AutocompleteField("search_ngrams"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldRowPanel([FieldPanel("estimated_minutes"), FieldPanel("language")]),
        FieldPanel("no_skipping"),
        InlinePanel("topics", label=_("Topics"), heading=_("Topics covered, in order")),
        MultiFieldPanel(
            [
                FieldPanel("audience"),
                FieldPanel("visibility", widget=forms.RadioSelect),
                FieldPanel("visible_to_groups", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("Audience and visibility"),
        ),
    ]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    @cached_property
    def lessons(self) -> list[LessonPage]:
        return list(LessonPage.objects.child_of(self).live().order_by("path"))

    @property
    def total_minutes(self) -> int:
        if self.estimated_minutes:
            return self.estimated_minutes
        return sum(lesson.estimated_minutes or 0 for lesson in self.lessons)

    def search_ngrams(self) -> str:
        topics = [topic.title for topic in self.topics.all()]
        return cjk_ngrams([self.title, self.summary, self.audience, *topics])

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["lessons"] = self.lessons
        context["topics"] = list(self.topics.all())
        return course_hooks.add_page_context(request, self, context)


class CourseTopic(TranslatableMixin, Orderable):
    """One topic a course covers; pre-training surveys ask which topics to explain in depth.

    Translatable so that a survey can refer to "the same topic" in every language
    (its `translation_key`).
    """

    page = ParentalKey(CoursePage, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("topic"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("title"), FieldPanel("description")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.title


class LessonPage(Page):
    """A lesson (课时) of a course: video, text, images, documents, key points and quizzes."""

    summary = models.TextField(_("summary"), max_length=300, blank=True)
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated time (minutes)"), default=10, validators=[MinValueValidator(1)]
    )
    body = StreamField(LessonBodyBlock(), verbose_name=_("body"), blank=True)

    parent_page_types = ["courses.CoursePage"]
    subpage_types: list[str] = []
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.AutocompleteField("search_ngrams"),
    ]
    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def body_text(self) -> list[str]:
        """The lesson's words: rich text without tags, key points, captions, quiz titles."""
        texts: list[str] = []
        for block in self.body:
            if block.block_type == "text":
                texts.append(plain_text(block.value.source))
            elif block.block_type == "key_points":
                texts.extend([block.value["heading"] or "", *block.value["points"]])
            elif block.block_type == "image":
                texts.append(block.value["caption"] or "")
            elif block.block_type == "document":
                texts.extend([block.value["title"] or "", block.value["description"] or ""])
        return texts

    def search_ngrams(self) -> str:
        return cjk_ngrams([self.title, self.summary, *self.body_text()])

    def video_blocks(self) -> list[tuple[str, Any, int]]:
        """(block id, video, must-watch percent or 0) for each video block with a video."""
        return [
            (block.id, block.value["video"], block.value["must_watch_percent"] or 0)
            for block in self.body
            if block.block_type == "video" and block.value["video"] is not None
        ]

    def document_ids(self) -> set[int]:
        """The documents the body offers: download blocks and document links in its text."""
        document_model = get_document_model()
        body_field = self._meta.get_field("body")
        return {
            int(object_id)
            for model, object_id, _path, _content_path in body_field.extract_references(self.body)
            if issubclass(model, document_model)
        }

    def quiz_blocks(self) -> list[tuple[str, Quiz]]:
        """(block id, quiz) for each quiz block whose quiz still exists."""
        return [
            (block.id, block.value["quiz"])
            for block in self.body
            if block.block_type == "quiz" and block.value["quiz"] is not None
        ]

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        course = self.get_parent().specific
        context["course"] = course
        lessons = course.lessons if isinstance(course, CoursePage) else []
        position = next((i for i, lesson in enumerate(lessons) if lesson.pk == self.pk), None)
        context["lesson_number"] = position + 1 if position is not None else None
        context["lesson_count"] = len(lessons)
        context["previous_lesson"] = lessons[position - 1] if position else None
        context["next_lesson"] = (
            lessons[position + 1] if position is not None and position + 1 < len(lessons) else None
        )
        return course_hooks.add_page_context(request, self, context)


# --- quizzes -------------------------------------------------------------------------


class QuestionBank(TranslatableMixin, index.Indexed, ClusterableModel):
    """The questions written for one course; quizzes draw their questions from a bank."""

    title = models.CharField(_("title"), max_length=255)
    course = models.ForeignKey(
        CoursePage,
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="question_banks",
    )
    questions = StreamField(QuestionStreamBlock(), verbose_name=_("questions"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldPanel("title"),
        PageChooserPanel("course", page_type="courses.CoursePage"),
        FieldPanel("questions"),
    ]
    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.AutocompleteField("search_ngrams"),
        index.FilterField("locale_id"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def search_ngrams(self) -> str:
        return cjk_ngrams([self.title, *(block.value["text"] for block in self.questions)])

    @cached_property
    def questions_by_id(self) -> dict[str, Any]:
        return {block.id: block for block in self.questions}


class Quiz(TranslatableMixin, index.Indexed, models.Model):
    """A quiz embedded in lessons: how many questions of a bank, pass mark, attempts, order.

    Attempts and grading records belong to the learning domain (`lms/progress`).
    """

    title = models.CharField(_("title"), max_length=255)
    bank = models.ForeignKey(
        QuestionBank,
        verbose_name=_("question bank"),
        on_delete=models.PROTECT,
        related_name="quizzes",
    )
    question_count = models.PositiveSmallIntegerField(
        _("questions per attempt"),
        default=0,
        help_text=_("Drawn at random from the bank for each attempt; 0 asks every question."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    attempt_limit = models.PositiveSmallIntegerField(
        _("attempts allowed"), default=3, help_text=_("0 allows unlimited attempts.")
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle answer options"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("bank"),
        FieldRowPanel(
            [FieldPanel("question_count"), FieldPanel("pass_mark"), FieldPanel("attempt_limit")]
        ),
        FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
    ]
    search_fields = [
        index.SearchField("title"),
        index.AutocompleteField("title"),
        index.AutocompleteField("search_ngrams"),
        index.FilterField("locale_id"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        ordering = ["title", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.bank_id and self.question_count:
            available = len(self.bank.questions)
            if self.question_count > available:
                raise ValidationError(
                    {
                        "question_count": _(
                            "The bank has only %(count)d questions; ask at most that many, or 0 "
                            "for all of them."
                        )
                        % {"count": available}
                    }
                )

    def search_ngrams(self) -> str:
        return cjk_ngrams([self.title])


__all__ = [
    "CourseIndexPage",
    "CoursePage",
    "CourseTopic",
    "CourseVisibility",
    "LessonPage",
    "QuestionBank",
    "QuestionKind",
    "Quiz",
]
