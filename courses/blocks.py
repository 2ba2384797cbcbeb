"""StreamField blocks: what a lesson body is made of, and the questions of a question bank.

Correct answers live only in the question blocks of a `QuestionBank`; the learner-facing
templates receive a `QuizPaper` (see `courses/quizzes.py`) that carries question texts and
opaque option ids, never which option is right.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock
from wagtail.snippets.blocks import SnippetChooserBlock

from media.blocks import VideoChooserBlock

DEFAULT_WATCH_PERCENT = 90

LESSON_RICH_TEXT_FEATURES = [
    "h2",
    "h3",
    "bold",
    "italic",
    "ol",
    "ul",
    "link",
    "document-link",
    "hr",
    "blockquote",
]


# --- lesson body ---------------------------------------------------------------------


class VideoBlock(blocks.StructBlock):
    video = VideoChooserBlock(label=_("Video"))
    must_watch_percent = blocks.IntegerBlock(
        label=_("Must watch at least (%)"),
        required=False,
        default=DEFAULT_WATCH_PERCENT,
        min_value=0,
        max_value=100,
        help_text=_(
            "The share of the video a learner must have played for the lesson to count. "
            "Leave empty or 0 for no rule."
        ),
    )

    class Meta:
        icon = "media"
        label = _("Video")
        template = "courses/blocks/video.html"

    def get_context(
        self, value: Any, parent_context: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        context = super().get_context(value, parent_context)
        video = value["video"]
        seconds = round(video.duration) if video is not None and video.duration else 0
        context["duration_label"] = f"{seconds // 60}:{seconds % 60:02d}" if seconds else ""
        return context


class FigureBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=255)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "courses/blocks/image.html"


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Link text"),
        required=False,
        max_length=255,
        help_text=_("Defaults to the document's title."),
    )
    description = blocks.TextBlock(label=_("Description"), required=False)

    class Meta:
        icon = "doc-full"
        label = _("Downloadable document")
        template = "courses/blocks/document.html"


class KeyPointsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        label=_("Heading"),
        required=False,
        max_length=100,
        help_text=_('Defaults to "Key points".'),
    )
    points = blocks.ListBlock(blocks.CharBlock(max_length=300), label=_("Points"), min_num=1)

    class Meta:
        icon = "list-ul"
        label = _("Key points")
        template = "courses/blocks/key_points.html"


class QuizBlock(blocks.StructBlock):
    quiz = SnippetChooserBlock("courses.Quiz", label=_("Quiz"))
    intro = blocks.TextBlock(label=_("Introduction"), required=False)

    class Meta:
        icon = "tasks"
        label = _("Quiz")
        # Rendered by lesson_page.html, which prepares the learner's question paper.


class LessonBodyBlock(blocks.StreamBlock):
    video = VideoBlock()
    text = blocks.RichTextBlock(
        label=_("Text"), features=LESSON_RICH_TEXT_FEATURES, template="courses/blocks/text.html"
    )
    image = FigureBlock()
    document = DocumentBlock()
    key_points = KeyPointsBlock()
    quiz = QuizBlock()


# --- question bank -------------------------------------------------------------------


class QuestionKind:
    SINGLE = "single_choice"
    MULTIPLE = "multiple_choice"
    TRUE_FALSE = "true_false"


class OptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Answer option"), max_length=300)
    correct = blocks.BooleanBlock(label=_("Correct"), required=False)

    class Meta:
        icon = "radio-full"
        label = _("Option")


def _non_block_error(message: Any) -> blocks.StructBlockValidationError:
    return blocks.StructBlockValidationError(non_block_errors=ErrorList([ValidationError(message)]))


def _explanation_block() -> blocks.TextBlock:
    return blocks.TextBlock(
        label=_("Explanation"),
        required=False,
        help_text=_("Shown to the learner after they submit, whether they were right or not."),
    )


def _topic_block() -> blocks.CharBlock:
    return blocks.CharBlock(
        label=_("Topic"),
        required=False,
        max_length=100,
        help_text=_(
            "Optional: the course topic this question checks. The trainer's brief groups "
            "the questions learners miss by topic."
        ),
    )


class _ChoiceQuestionBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Question"))
    options = blocks.ListBlock(OptionBlock(), label=_("Options"), min_num=2, max_num=8)
    explanation = _explanation_block()
    topic = _topic_block()

    def correct_count(self, value: Any) -> int:
        return sum(1 for option in value["options"] if option["correct"])


class SingleChoiceBlock(_ChoiceQuestionBlock):
    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if self.correct_count(value) != 1:
            raise _non_block_error(_("Mark exactly one option as correct."))
        return value

    class Meta:
        icon = "radio-full"
        label = _("Single choice")


class MultipleChoiceBlock(_ChoiceQuestionBlock):
    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if self.correct_count(value) < 1:
            raise _non_block_error(_("Mark at least one option as correct."))
        return value

    class Meta:
        icon = "tick-inverse"
        label = _("Multiple choice")


class TrueFalseBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Statement"))
    answer = blocks.ChoiceBlock(
        label=_("The statement is"),
        choices=[("true", _("True")), ("false", _("False"))],
        default="true",
    )
    explanation = _explanation_block()
    topic = _topic_block()

    class Meta:
        icon = "help"
        label = _("True or false")


class QuestionStreamBlock(blocks.StreamBlock):
    single_choice = SingleChoiceBlock()
    multiple_choice = MultipleChoiceBlock()
    true_false = TrueFalseBlock()
