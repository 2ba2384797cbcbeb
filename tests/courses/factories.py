"""Course content for tests: real Wagtail pages in a real tree, and quiz snippets.

Pages are added with `add_child(instance=…)` and published through a revision, the way
the admin does it; pass `publish=False` for a draft.
"""

from __future__ import annotations

from typing import Any

import factory
from wagtail.models import Collection, Page, Site

from courses.models import CourseIndexPage, CoursePage, LessonPage, QuestionBank, Quiz


def site_root() -> Page:
    """The default site's home page, made again if a transactional test emptied the
    database (Wagtail's migrations create it; a flush removes it)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None:
        return site.root_page.specific
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Locale

    language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
    Locale.objects.get_or_create(language_code=language)
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = root.add_child(instance=Page(title="Home", slug="home"))
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    return home


def root_collection() -> Collection:
    """Wagtail's root collection (documents and images live in it), made again if a
    transactional test emptied the database."""
    return Collection.get_first_root_node() or Collection.add_root(name="Root")


class _PageFactory(factory.Factory):
    """Builds a page under `parent`, saves it as a child and publishes a revision."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: type[Page], *args: Any, **kwargs: Any) -> Page:
        parent = kwargs.pop("parent")
        publish = kwargs.pop("publish", True)
        groups = kwargs.pop("visible_to_groups", None)
        topics = kwargs.pop("topics", None)
        page = model_class(*args, **kwargs)
        page.live = False
        if topics:
            page.topics = [page.topics.model(title=title) for title in topics]
        parent.add_child(instance=page)
        if groups:
            page.visible_to_groups.set(groups)
        revision = page.save_revision()
        if publish:
            revision.publish()
        return model_class.objects.get(pk=page.pk)


class CourseIndexPageFactory(_PageFactory):
    class Meta:
        model = CourseIndexPage

    title = "课程"
    slug = "courses"
    parent = factory.LazyFunction(site_root)


class CoursePageFactory(_PageFactory):
    class Meta:
        model = CoursePage

    title = factory.Sequence(lambda n: f"课程{n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    summary = "新员工入职必修课。"
    audience = "全体新员工"


class LessonPageFactory(_PageFactory):
    class Meta:
        model = LessonPage

    title = factory.Sequence(lambda n: f"第{n}课")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    estimated_minutes = 8
    body = factory.LazyFunction(
        lambda: [("text", "<p>风险控制部负责贷前、贷中、贷后的风险管理。</p>")]
    )


def single(text: str, options: list[tuple[str, bool]], explanation: str = "") -> tuple:
    return (
        "single_choice",
        {
            "text": text,
            "options": [{"text": o, "correct": c} for o, c in options],
            "explanation": explanation,
        },
    )


def multiple(text: str, options: list[tuple[str, bool]], explanation: str = "") -> tuple:
    _kind, value = single(text, options, explanation)
    return ("multiple_choice", value)


def true_false(text: str, answer: bool, explanation: str = "") -> tuple:
    return (
        "true_false",
        {"text": text, "answer": "true" if answer else "false", "explanation": explanation},
    )


def default_questions() -> list[tuple]:
    return [
        single(
            "贷前调查由谁独立完成？",
            [("客户经理", True), ("客服专员", False), ("出纳", False)],
            "客户经理开展贷前调查并独立完成授信调查报告。",
        ),
        multiple(
            "风险控制部的职责包括哪些？",
            [("组织贷审会", True), ("贷后跟踪管理", True), ("开具发票", False)],
            "开具发票是会计的职责。",
        ),
        true_false("催收时可以使用短信手段。", True, "按前/中/后期策略，可用电话、短信催收。"),
    ]


class QuestionBankFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuestionBank

    title = factory.Sequence(lambda n: f"题库{n}")
    questions = factory.LazyFunction(default_questions)


class QuizFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quiz

    title = factory.Sequence(lambda n: f"测验{n}")
    bank = factory.SubFactory(QuestionBankFactory)
    pass_mark = 60
    attempt_limit = 2


def answer_key(quiz: Quiz) -> dict[str, list[str]]:
    """The right answers to every question of a quiz's bank: {question id: [option ids]}."""
    key = {}
    for block in quiz.bank.questions:
        if block.block_type == "true_false":
            key[block.id] = [block.value["answer"]]
        else:
            key[block.id] = [
                child.id for child in block.value["options"].bound_blocks if child.value["correct"]
            ]
    return key


def wrong_answers(quiz: Quiz) -> dict[str, list[str]]:
    """A wrong (but well-formed) answer to every question."""
    answers = {}
    for block in quiz.bank.questions:
        if block.block_type == "true_false":
            answers[block.id] = ["false" if block.value["answer"] == "true" else "true"]
        else:
            answers[block.id] = [
                next(
                    child.id
                    for child in block.value["options"].bound_blocks
                    if not child.value["correct"]
                )
            ]
    return answers
