"""Demo courses for `manage.py seed_demo`: eight published courses from the seed documents.

Rules, like the organisation seed (lms/demo/org.py):
- Keyed on slugs under the course index: a course that exists is left alone, whatever a
  trainer did to it during a demo; only missing courses are created. A second run
  changes nothing.
- Each lesson gets a short title-card video (the lesson name in a CJK font over a tone)
  made by ffmpeg and handed to the real video pipeline (`media.tasks.video_create_and_process`),
  which transcodes it in the task worker after the seed commits. The clips are cached
  under DATA_DIR/cache, so ffmpeg draws each card once per machine. Set
  ONRAMP_DEMO_VIDEOS=0 to skip videos.
- Pages in the default language get aliases in the other content languages (what the
  admin does when WAGTAILSIMPLETRANSLATION_SYNC_PAGE_TREE is on); one course is also
  translated into English.

The report has the shape `seed_demo` prints (see lms/demo/org.py): this module does not
import the learning domain, so it has its own small report classes.
"""

from __future__ import annotations

import copy
import hashlib
import io
import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail.actions.convert_alias import ConvertAliasPageAction
from wagtail.documents import get_document_model
from wagtail.models import Locale, Page, Site

from courses.governance import TRAINING_LEAD_GROUP, course_governance_sync
from courses.models import (
    CourseIndexPage,
    CoursePage,
    CourseTopic,
    CourseVisibility,
    LessonPage,
    QuestionBank,
    Quiz,
)
from lms.demo import course_content as content

logger = logging.getLogger(__name__)

INDEX_SLUG = "courses"
INDEX_TITLE = "课程"
INDEX_INTRO = "<p>入职第一天到转正前需要学习的录播课程。先学课程，再参加面授培训。</p>"
# 高志强, head of 人力资源部 in the demo organisation, approves courses.
TRAINING_LEAD_USERNAME = "E1012"
PASS_MARK = 80
ATTEMPT_LIMIT = 3
WATCH_PERCENT = 90

CLIP_SECONDS = 12
CLIP_VERSION = "1"  # bump to redraw every cached title card
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


# --- report (the shape seed_demo prints) ---------------------------------------------
# Every app's seed step returns one; it lives here because courses imports nothing from
# the learning domain, which imports it from here.


@dataclass
class SeedCounts:
    label: str | Promise
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class SeedReport:
    """What one seed step did, per kind of thing, for the command's summary."""

    title: str | Promise
    counts: list[SeedCounts] = field(default_factory=list)

    def add(self, label: str | Promise) -> SeedCounts:
        counts = SeedCounts(label)
        self.counts.append(counts)
        return counts

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts)

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.counts)


# --- title-card videos ---------------------------------------------------------------


def _cjk_font() -> str | None:
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return candidate
    fc_match = shutil.which("fc-match")
    if fc_match:
        found = subprocess.run(
            [fc_match, "-f", "%{file}", "sans:lang=zh-cn"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        ).stdout.strip()
        if found and Path(found).is_file():
            return found
    return None


def title_card_args(
    *, font: str, title_file: Path, subtitle_file: Path, out: Path, seconds: int = CLIP_SECONDS
) -> list[str]:
    """ffmpeg arguments for a 640×360 title card with a 440 Hz tone."""
    # Text comes from files so that no lesson title needs escaping inside the filter graph.
    text = (
        f"drawtext=fontfile={font}:textfile={title_file}:fontcolor=white:fontsize=40"
        ":x=(w-text_w)/2:y=(h-text_h)/2-10,"
        f"drawtext=fontfile={font}:textfile={subtitle_file}:fontcolor=0xd6e6f7:fontsize=22"
        ":x=(w-text_w)/2:y=(h/2)+40"
    )
    return [
        "ffmpeg",
        "-hide_banner",
        "-loglevel",
        "error",
        "-nostdin",
        "-y",
        "-f",
        "lavfi",
        "-i",
        f"color=c=0x0b6bcb:s=640x360:r=24:d={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=440:sample_rate=44100:duration={seconds}",
        "-vf",
        text,
        "-af",
        "volume=0.3",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-pix_fmt",
        "yuv420p",
        "-c:a",
        "aac",
        "-b:a",
        "64k",
        "-shortest",
        "-movflags",
        "+faststart",
        str(out),
    ]


class DemoVideos:
    """Makes (or finds in the cache) a title card per lesson and creates its Video."""

    def __init__(self) -> None:
        self.font = _cjk_font()
        self.ffmpeg = shutil.which("ffmpeg")
        self.cache = Path(settings.DATA_DIR) / "cache" / "demo-videos"
        wanted = os.environ.get("ONRAMP_DEMO_VIDEOS", "1").strip().lower() not in {
            "0",
            "no",
            "false",
        }
        self.enabled = wanted and bool(self.font and self.ffmpeg)
        if wanted and not self.enabled:
            logger.warning(
                "seed_demo: lessons get no videos: %s",
                "ffmpeg is missing" if not self.ffmpeg else "no CJK font (fonts-wqy-microhei)",
            )

    def _clip(self, *, title: str, subtitle: str) -> Path:
        key = hashlib.sha256(f"{CLIP_VERSION}\n{CLIP_SECONDS}\n{title}\n{subtitle}".encode())
        path = self.cache / f"{key.hexdigest()[:24]}.mp4"
        if path.is_file():
            return path
        self.cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.cache) as work:
            title_file = Path(work) / "title.txt"
            subtitle_file = Path(work) / "subtitle.txt"
            title_file.write_text(title, encoding="utf-8")
            subtitle_file.write_text(subtitle, encoding="utf-8")
            out = Path(work) / "clip.mp4"
            subprocess.run(
                title_card_args(
                    font=self.font or "",
                    title_file=title_file,
                    subtitle_file=subtitle_file,
                    out=out,
                ),
                check=True,
                capture_output=True,
                timeout=120,
            )
            # Atomic: a parallel seed never reads half a file.
            out.replace(path)
        return path

    def video_for(self, *, course: str, lesson: str, slug: str) -> Any:
        if not self.enabled:
            return None
        from media.tasks import video_create_and_process

        try:
            clip = self._clip(title=lesson, subtitle=course)
        except (subprocess.SubprocessError, OSError):
            logger.exception("seed_demo: could not draw the title card for %s", lesson)
            return None
        from media.pipeline.captions import caption_add

        with clip.open("rb") as stream:
            # Queued for the real pipeline once the seed's transaction commits.
            video = video_create_and_process(title=lesson, file=stream, filename=f"{slug}.mp4")
        # Chinese captions, so the player's 字幕 button has something to show in the demo.
        half = CLIP_SECONDS / 2
        srt = (
            f"1\n{_srt_time(0)} --> {_srt_time(half)}\n{lesson}\n\n"
            f"2\n{_srt_time(half)} --> {_srt_time(CLIP_SECONDS)}\n{course}\n"
        )
        caption_add(video=video, language="zh-Hans", file=io.BytesIO(srt.encode()), is_default=True)
        return video


def _srt_time(seconds: float) -> str:
    whole = int(seconds)
    millis = round((seconds - whole) * 1000)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d},{millis:03d}"


# --- pages ---------------------------------------------------------------------------


COVER_COLOURS = (
    "#0b6bcb",
    "#17663a",
    "#8a4b0f",
    "#5b3cc4",
    "#b42318",
    "#0e7490",
    "#9d174d",
    "#3f6212",
)


def _cover_image(spec: content.Course, number: int, font: str | None) -> Any:
    """A plain cover: the course title on a coloured card (Pillow, no network)."""
    from io import BytesIO

    from PIL import Image as PILImage
    from PIL import ImageDraw, ImageFont
    from wagtail.images import get_image_model

    canvas = PILImage.new("RGB", (960, 540), COVER_COLOURS[number % len(COVER_COLOURS)])
    draw = ImageDraw.Draw(canvas)
    title = spec.title.split("（")[0].split("：")[0]
    size = 88 if len(title) <= 8 else 64
    face = ImageFont.truetype(font, size) if font else ImageFont.load_default()
    box = draw.textbbox((0, 0), title, font=face)
    draw.text(
        ((960 - (box[2] - box[0])) / 2, (540 - (box[3] - box[1])) / 2 - 20),
        title,
        fill="white",
        font=face,
    )
    stream = BytesIO()
    canvas.save(stream, format="PNG", optimize=True)
    Image = get_image_model()
    image = Image(title=f"{spec.title} · 封面")
    image.file.save(f"course-cover-{spec.slug}.png", ContentFile(stream.getvalue()), save=False)
    # Saving the file reads its dimensions from the stream's end; they are known anyway.
    image.width, image.height = canvas.size
    image.save()
    return image


def _publish(page: Page) -> None:
    page.save_revision().publish()
    # publish() writes the row; the aliases made from this object must see it live.
    page.refresh_from_db()


def _add_aliases(page: Page, locales: list[Locale]) -> None:
    """Aliases in the other languages, so that a learner reading in English sees the
    Chinese page (and later its translation) at the same address."""
    for locale in locales:
        if not page.has_translation(locale):
            page.copy_for_translation(locale, copy_parents=True, alias=True)


def _course_index(counts: SeedCounts) -> CourseIndexPage:
    home = Site.objects.get(is_default_site=True).root_page
    index = CourseIndexPage.objects.child_of(home).filter(slug=INDEX_SLUG).first()
    if index is not None:
        counts.unchanged += 1
        return index
    index = CourseIndexPage(title=INDEX_TITLE, slug=INDEX_SLUG, intro=INDEX_INTRO, live=False)
    home.add_child(instance=index)
    _publish(index)
    counts.created += 1
    return index


def _question_value(question: content.Question) -> tuple[str, dict[str, Any]]:
    if question.kind == "true_false":
        return (
            "true_false",
            {
                "text": question.text,
                "answer": "true" if question.answer else "false",
                "explanation": question.explanation,
                "topic": question.topic,
            },
        )
    return (
        question.kind,
        {
            "text": question.text,
            "options": [{"text": text, "correct": correct} for text, correct in question.options],
            "explanation": question.explanation,
            "topic": question.topic,
        },
    )


def _audience_group(spec: content.Course, counts: SeedCounts) -> Group | None:
    if spec.visibility != CourseVisibility.GROUPS or not spec.group:
        return None
    group, created = Group.objects.get_or_create(name=spec.group)
    if created:
        counts.created += 1
        # The people of these departments (the organisation seed made them); looked up
        # through the account's reverse relation so that courses never imports lms.
        members = get_user_model().objects.filter(
            employee__department__code__in=spec.group_departments
        )
        group.user_set.add(*members)
    return group


def _pledge_document() -> Any:
    Document = get_document_model()
    title = "员工保密承诺书（示例）"
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title)
        document.file.save(
            "confidentiality-pledge.txt",
            ContentFile(content.CONFIDENTIALITY_PLEDGE.encode("utf-8")),
            save=False,
        )
        document.save()
    return document


def _lesson_body(
    spec: content.Lesson, *, video: Any, quiz: Quiz | None, document: Any = None
) -> list[tuple[str, Any]]:
    body: list[tuple[str, Any]] = []
    if video is not None:
        body.append(("video", {"video": video, "must_watch_percent": WATCH_PERCENT}))
    body.append(("text", spec.html))
    if document is not None:
        body.append(
            (
                "document",
                {
                    "document": document,
                    "title": "下载：员工保密承诺书（示例）",
                    "description": "入职时签署，交人力资源部存档。",
                },
            )
        )
    if spec.key_points:
        body.append(("key_points", {"heading": "", "points": list(spec.key_points)}))
    if quiz is not None:
        body.append(
            ("quiz", {"quiz": quiz, "intro": "学完本课程后完成测验，80 分及格，共 3 次机会。"})
        )
    return body


@dataclass
class _Counters:
    courses: SeedCounts
    lessons: SeedCounts
    quizzes: SeedCounts
    videos: SeedCounts
    groups: SeedCounts


def _create_course(
    *,
    index: CourseIndexPage,
    spec: content.Course,
    videos: DemoVideos,
    locales: list[Locale],
    counters: _Counters,
) -> CoursePage:
    number = [c.slug for c in content.COURSES].index(spec.slug)
    course = CoursePage(
        cover_image=_cover_image(spec, number, videos.font),
        title=spec.title,
        slug=spec.slug,
        summary=spec.summary,
        audience=spec.audience,
        visibility=spec.visibility,
        language="zh-hans",
        live=False,
    )
    course.topics = [CourseTopic(title=title) for title in spec.topics]
    index.add_child(instance=course)
    group = _audience_group(spec, counters.groups)
    if group is not None:
        course.visible_to_groups.set([group])
    _publish(course)
    _add_aliases(course, locales)
    counters.courses.created += 1

    bank = QuestionBank.objects.create(
        title=f"{spec.title} · 题库",
        course=course,
        questions=[_question_value(q) for q in spec.questions],
    )
    quiz = Quiz.objects.create(
        title=spec.quiz_title or spec.title,
        bank=bank,
        pass_mark=PASS_MARK,
        attempt_limit=ATTEMPT_LIMIT,
        shuffle_options=True,
    )
    counters.quizzes.created += 1

    last = len(spec.lessons) - 1
    for number, lesson_spec in enumerate(spec.lessons):
        video = videos.video_for(
            course=spec.title, lesson=lesson_spec.title, slug=f"{spec.slug}-{lesson_spec.slug}"
        )
        if video is not None:
            counters.videos.created += 1
        lesson = LessonPage(
            title=lesson_spec.title,
            slug=lesson_spec.slug,
            summary=lesson_spec.summary,
            estimated_minutes=lesson_spec.minutes,
            body=_lesson_body(
                lesson_spec,
                video=video,
                quiz=quiz if number == last else None,
                document=_pledge_document() if lesson_spec.slug == "confidentiality" else None,
            ),
            live=False,
        )
        course.add_child(instance=lesson)
        _publish(lesson)
        _add_aliases(lesson, locales)
        counters.lessons.created += 1

    if spec.translation is not None:
        for locale in locales:
            if locale.language_code == "en":
                _translate_course(
                    course=course, bank=bank, quiz=quiz, spec=spec.translation, locale=locale
                )
    return course


def _replace_texts(raw: list[dict[str, Any]], spec: content.Course) -> list[dict[str, Any]]:
    """A translated question bank: same block and option ids, English text."""
    raw = copy.deepcopy(raw)
    for block, question in zip(raw, spec.questions, strict=True):
        value = block["value"]
        value["text"] = question.text
        value["explanation"] = question.explanation
        value["topic"] = question.topic
        if block["type"] != "true_false":
            for option, (text, _correct) in zip(value["options"], question.options, strict=True):
                option["value"]["text"] = text
    return raw


def _translate_course(
    *, course: CoursePage, bank: QuestionBank, quiz: Quiz, spec: content.Course, locale: Locale
) -> None:
    """Turn the English aliases of a course into an English translation."""
    translated_bank = bank.copy_for_translation(locale)
    translated_bank.title = f"{spec.title} · question bank"
    translated_bank.questions = _replace_texts(list(bank.questions.raw_data), spec)
    translated_bank.save()
    translated_quiz = quiz.copy_for_translation(locale)
    translated_quiz.title = spec.quiz_title
    translated_quiz.bank = translated_bank
    translated_quiz.save()

    alias = course.get_translation(locale)
    ConvertAliasPageAction(alias).execute(skip_permission_checks=True)
    translated = CoursePage.objects.get(pk=alias.pk)
    translated.title = spec.title
    translated.summary = spec.summary
    translated.audience = spec.audience
    for topic, title in zip(translated.topics.all(), spec.topics, strict=True):
        topic.title = title
    _publish(translated)

    lessons = LessonPage.objects.child_of(course).order_by("path")
    for lesson, lesson_spec in zip(lessons, spec.lessons, strict=True):
        alias = lesson.get_translation(locale)
        ConvertAliasPageAction(alias).execute(skip_permission_checks=True)
        translated_lesson = LessonPage.objects.get(pk=alias.pk)
        translated_lesson.title = lesson_spec.title
        translated_lesson.summary = lesson_spec.summary
        body: list[tuple[str, Any]] = []
        for block in lesson.body:
            if block.block_type == "text":
                body.append(("text", lesson_spec.html))
            elif block.block_type == "key_points":
                body.append(("key_points", {"heading": "", "points": list(lesson_spec.key_points)}))
            elif block.block_type == "quiz":
                intro = "Take the quiz after the course: 80 % passes, 3 attempts."
                body.append(("quiz", {"quiz": quiz, "intro": intro}))
            else:
                body.append((block.block_type, block.value))
        translated_lesson.body = body
        _publish(translated_lesson)


def _training_lead_member(counts: SeedCounts) -> None:
    lead = Group.objects.filter(name=TRAINING_LEAD_GROUP).first()
    user = get_user_model().objects.filter(username=TRAINING_LEAD_USERNAME).first()
    if lead is None or user is None:
        return
    if user.groups.filter(pk=lead.pk).exists():
        counts.unchanged += 1
    else:
        user.groups.add(lead)
        counts.updated += 1


@transaction.atomic
def demo_courses_seed() -> SeedReport:
    """Create the course index and the demo courses that are missing; publish them."""
    report = SeedReport(apps.get_app_config("courses").verbose_name)
    index_counts = report.add(CourseIndexPage._meta.verbose_name)
    counters = _Counters(
        courses=report.add(CoursePage._meta.verbose_name_plural),
        lessons=report.add(LessonPage._meta.verbose_name_plural),
        quizzes=report.add(Quiz._meta.verbose_name_plural),
        videos=report.add(_("lesson videos")),
        groups=report.add(_("audience groups")),
    )
    access = report.add(_("course permissions and review workflow"))
    lead_counts = report.add(_("training lead"))

    index = _course_index(index_counts)
    locales = list(Locale.objects.exclude(pk=index.locale_id))
    _add_aliases(index, locales)
    # After the index and its aliases exist: permissions and the workflow attach to them.
    governance = course_governance_sync()
    access.created += governance.changed
    if not governance.changed:
        access.unchanged += 1

    existing = set(CoursePage.objects.child_of(index).values_list("slug", flat=True))
    videos = DemoVideos()
    for spec in content.COURSES:
        if spec.slug in existing:
            counters.courses.unchanged += 1
            continue
        _create_course(index=index, spec=spec, videos=videos, locales=locales, counters=counters)
    _training_lead_member(lead_counts)
    return report
