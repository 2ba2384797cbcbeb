"""GET /api/v1/courses/{id}/ and /api/v1/lessons/{id}/ — what the phone shows of a course.

A course or lesson the person may not see answers 404 with the same body as one that does
not exist, so ids cannot be probed.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from wagtail.images.models import SourceImageIOError
from wagtail.rich_text import expand_db_html

from lms.api.v1.errors import errors
from lms.api.v1.serializers import QuizPaperOutput, quiz_paper_json
from lms.progress.outline import (
    CourseOutline,
    LessonReading,
    course_outline_visible_to,
    lesson_reading_visible_to,
)
from media.selectors import video_master_url, video_poster_url, video_thumbnails_url

IMAGE_RENDITION = "max-1280x1280"


# --- course ---------------------------------------------------------------------------


class CourseLessonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    estimated_minutes = serializers.IntegerField()
    has_video = serializers.BooleanField()
    has_quiz = serializers.BooleanField()
    watched_percent = serializers.IntegerField(
        allow_null=True, help_text="Mean of the lesson's videos; null without a video."
    )
    requirements_met = serializers.BooleanField()


class CompletionOutput(serializers.Serializer):
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    complete = serializers.BooleanField()


class CourseOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField()
    topics = serializers.ListField(child=serializers.CharField())
    estimated_minutes = serializers.IntegerField()
    language = serializers.CharField()
    lessons = CourseLessonOutput(many=True)
    completion = CompletionOutput()


def course_json(outline: CourseOutline) -> dict[str, Any]:
    course = outline.course
    lessons = [entry.lesson for entry in outline.lessons]
    return {
        "id": course.pk,
        "title": course.title,
        "summary": course.summary,
        "topics": [topic.title for topic in outline.topics],
        "estimated_minutes": course.estimated_minutes
        or sum(lesson.estimated_minutes or 0 for lesson in lessons),
        "language": course.language,
        "lessons": [
            {
                "id": entry.lesson.pk,
                "title": entry.lesson.title,
                "estimated_minutes": entry.lesson.estimated_minutes,
                "has_video": entry.has_video,
                "has_quiz": entry.has_quiz,
                "watched_percent": entry.watched_percent,
                "requirements_met": entry.requirements_met,
            }
            for entry in outline.lessons
        ],
        "completion": {
            "done": outline.completion.done,
            "total": outline.completion.total,
            "complete": outline.completion.complete,
        },
    }


class CourseDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: CourseOutput, **errors(404)}, summary="A course with my progress"
    )
    def get(self, request: Request, course_id: int) -> Response:
        outline = course_outline_visible_to(user=request.user, course_id=course_id)
        if outline is None:
            raise NotFound()
        return Response(CourseOutput(course_json(outline)).data)


# --- lesson ---------------------------------------------------------------------------


class CaptionOutput(serializers.Serializer):
    language = serializers.CharField()
    label = serializers.CharField()
    url = serializers.CharField()
    default = serializers.BooleanField()


class LessonVideoOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    master_playlist = serializers.CharField(allow_null=True, help_text="null until ready.")
    poster = serializers.CharField(allow_null=True)
    thumbnails = serializers.CharField(allow_null=True)
    captions = CaptionOutput(many=True)
    duration = serializers.FloatField(allow_null=True)
    must_watch_percent = serializers.IntegerField()
    resume_position = serializers.FloatField()
    watched_percent = serializers.FloatField()


class ImageOutput(serializers.Serializer):
    url = serializers.CharField(allow_null=True)
    width = serializers.IntegerField(allow_null=True)
    height = serializers.IntegerField(allow_null=True)
    alt = serializers.CharField(allow_blank=True)


class DocumentOutput(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()
    file_extension = serializers.CharField(allow_blank=True)


class LessonBlockOutput(serializers.Serializer):
    """One body block; the fields present depend on `type`."""

    id = serializers.CharField()
    type = serializers.ChoiceField(
        choices=["text", "key_points", "image", "document", "video", "quiz"]
    )
    html = serializers.CharField(required=False, help_text="text: HTML sanitised by the CMS.")
    heading = serializers.CharField(required=False, help_text="key_points")
    points = serializers.ListField(child=serializers.CharField(), required=False)
    image = ImageOutput(required=False)
    caption = serializers.CharField(required=False, allow_blank=True)
    document = DocumentOutput(required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    video = LessonVideoOutput(required=False)
    intro = serializers.CharField(required=False, allow_blank=True)
    quiz = QuizPaperOutput(required=False)


class LessonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    course_id = serializers.IntegerField()
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    estimated_minutes = serializers.IntegerField()
    body = LessonBlockOutput(many=True)


def _image_json(image: Any) -> dict[str, Any]:
    try:
        rendition = image.get_rendition(IMAGE_RENDITION)
    except SourceImageIOError:
        return {"url": None, "width": None, "height": None, "alt": ""}
    alt = getattr(image, "contextual_alt_text", None) or image.title
    return {
        "url": rendition.url,
        "width": rendition.width,
        "height": rendition.height,
        "alt": "" if getattr(image, "decorative", False) else alt,
    }


def _video_json(video: Any, must_watch: int, watch: Any) -> dict[str, Any]:
    return {
        "id": video.pk,
        "title": video.title,
        "status": video.status,
        "master_playlist": video_master_url(video),
        "poster": video_poster_url(video),
        "thumbnails": video_thumbnails_url(video),
        "captions": [
            {
                "language": caption.language,
                "label": caption.label,
                "url": reverse(
                    "media:caption",
                    kwargs={"video_id": video.pk, "path": f"{caption.language}.vtt"},
                ),
                "default": caption.is_default,
            }
            for caption in video.captions.all()
        ],
        "duration": video.duration,
        "must_watch_percent": must_watch,
        "resume_position": watch.last_position if watch else 0.0,
        "watched_percent": round(watch.percent, 1) if watch else 0.0,
    }


def lesson_json(reading: LessonReading) -> dict[str, Any]:
    lesson = reading.lesson
    body: list[dict[str, Any]] = []
    for block in lesson.body:
        value = block.value
        item: dict[str, Any] = {"id": block.id, "type": block.block_type}
        if block.block_type == "text":
            item["html"] = expand_db_html(value.source)
        elif block.block_type == "key_points":
            item["heading"] = value["heading"] or _("Key points")
            item["points"] = list(value["points"])
        elif block.block_type == "image":
            item["image"] = _image_json(value["image"])
            item["caption"] = value["caption"] or ""
        elif block.block_type == "document":
            document = value["document"]
            item["document"] = {
                "title": value["title"] or document.title,
                "url": document.url,
                "file_extension": document.file_extension,
            }
            item["description"] = value["description"] or ""
        elif block.block_type == "video":
            video = value["video"]
            if video is None:
                continue
            item["video"] = _video_json(
                video, value["must_watch_percent"] or 0, reading.watches.get(video.pk)
            )
        elif block.block_type == "quiz":
            paper = reading.papers.get(block.id)
            if paper is None:
                continue
            item["intro"] = value["intro"] or ""
            item["quiz"] = quiz_paper_json(paper, reading.quiz_status[block.id])
        body.append(item)
    return {
        "id": lesson.pk,
        "course_id": lesson.get_parent().pk,
        "title": lesson.title,
        "summary": lesson.summary,
        "estimated_minutes": lesson.estimated_minutes,
        "body": body,
    }


class LessonDetailApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        responses={200: LessonOutput, **errors(404)},
        summary="A lesson: body, videos to resume, quizzes",
    )
    def get(self, request: Request, lesson_id: int) -> Response:
        reading = lesson_reading_visible_to(user=request.user, lesson_id=lesson_id)
        if reading is None:
            raise NotFound()
        return Response(LessonOutput(lesson_json(reading)).data)
