"""Chinese search by substring, for learners and in the admin, on SQLite and PostgreSQL.

Wagtail's database backends split text into words at spaces; Chinese has none, so
"风险控制入门" is one word and a search for "风控" used to find nothing. Run this module on
both databases (DATABASE_URL=postgres://… for PostgreSQL).
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from courses.models import LessonPage
from courses.search import cjk_ngrams, cjk_query
from tests.courses.factories import (
    CoursePageFactory,
    LessonPageFactory,
    QuestionBankFactory,
    QuizFactory,
    true_false,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(course_index):
    risk = CoursePageFactory(
        parent=course_index, title="风险控制入门", slug="risk", summary="风控专员的日常工作。"
    )
    LessonPageFactory(
        parent=risk,
        title="贷前审核",
        body=[("text", "<p>对借款人进行<strong>征信</strong>审核，出具风险评价报告。</p>")],
    )
    collection = CoursePageFactory(
        parent=course_index,
        title="资产保全",
        slug="collection",
        summary="逾期贷款的处理。",
        visibility="groups",
        visible_to_groups=[Group.objects.create(name="资产保全部")],
    )
    LessonPageFactory(
        parent=collection,
        title="合规的底线",
        body=[("key_points", {"heading": "", "points": ["催收时不得威胁客户"]})],
    )
    service = CoursePageFactory(parent=course_index, title="客服沟通", slug="service")
    LessonPageFactory(
        parent=service, title="投诉处理", body=[("text", "<p>受理、升级、跟踪。</p>")]
    )
    return risk, collection, service


def results(client, query) -> str:
    return client.get(reverse("learn:course_search"), {"q": query}).content.decode()


@pytest.mark.parametrize(
    ("query", "finds", "misses"),
    [
        ("风控", ["风险控制入门"], ["客服沟通", "投诉处理"]),  # in a course summary
        ("征信", ["贷前审核"], ["客服沟通"]),  # in bold inside a lesson's rich text
        ("风险评价报告", ["贷前审核"], ["投诉处理"]),
        ("控制入门", ["风险控制入门"], ["资产保全"]),  # the middle of a title
        ("投诉", ["投诉处理"], ["贷前审核"]),
    ],
)
def test_learners_find_chinese_substrings(role_client, library, query, finds, misses):
    page = results(role_client("Learner"), query)
    for title in finds:
        assert title in page
    for title in misses:
        assert title not in page


def test_learners_only_find_what_they_may_open(role_client, library):
    learner = role_client("Learner")
    assert "合规的底线" not in results(learner, "催收")
    assert "资产保全" not in results(learner, "逾期")

    learner.employee.user.groups.add(Group.objects.get(name="资产保全部"))
    learner.employee.user._onramp_group_ids = None
    assert "合规的底线" in results(learner, "催收")


def test_staff_find_every_course(role_client, library):
    assert "合规的底线" in results(role_client("HR"), "催收")


def test_search_ignores_what_is_not_published(role_client, course_index):
    draft_course = CoursePageFactory(parent=course_index, title="征信草稿", publish=False)
    assert draft_course.title not in results(role_client("Trainer"), "征信")


def test_long_chinese_queries_and_mixed_scripts(role_client, course_index):
    course = CoursePageFactory(parent=course_index, title="互联网金融基础（P2P、征信、风险控制）")
    LessonPageFactory(
        parent=course,
        title="P2P网络借贷",
        body=[("text", "<p>P2P行业归由银监会监管，监管层希望平台回归信息中介。</p>")],
    )
    learner = role_client("Learner")
    assert "P2P网络借贷" in results(learner, "监管层希望平台回归信息中介")  # 13 characters
    assert "P2P网络借贷" in results(learner, "p2p 银监会")
    assert "P2P网络借贷" not in results(learner, "银监会 催收")


def test_empty_and_hostile_queries(role_client, library):
    learner = role_client("Learner")
    assert learner.get(reverse("learn:course_search")).status_code == 200
    for query in ("", "   ", "'); DROP TABLE x; --", "风" * 500, "AND OR NOT", '"', "*"):
        assert learner.get(reverse("learn:course_search"), {"q": query}).status_code == 200


def test_the_admin_page_search_finds_chinese_substrings(role_client, library):
    trainer = role_client("Trainer")
    from courses.governance import course_governance_sync

    course_governance_sync()
    page = trainer.get(reverse("wagtailadmin_pages:search"), {"q": "风控"}).content.decode()
    assert "风险控制入门" in page
    page = trainer.get(reverse("wagtailadmin_pages:search"), {"q": "征信"}).content.decode()
    assert "贷前审核" in page
    page = trainer.get(reverse("wagtailadmin_pages:search"), {"q": "催收"}).content.decode()
    assert "合规的底线" in page


def test_the_admin_finds_quizzes_and_banks_by_chinese_substrings(role_client):
    bank = QuestionBankFactory(
        title="催收合规题库", questions=[true_false("催收时可以使用短信手段。", True)]
    )
    QuizFactory(title="资产保全测验", bank=bank)
    trainer = role_client("Trainer")

    banks = trainer.get(reverse("wagtailsnippets_courses_questionbank:list"), {"q": "短信手段"})
    quizzes = trainer.get(reverse("wagtailsnippets_courses_quiz:list"), {"q": "保全"})

    assert "催收合规题库" in banks.content.decode()
    assert "资产保全测验" in quizzes.content.decode()


def test_the_index_text_is_edge_ngrams_of_chinese_runs():
    assert cjk_ngrams(["风险控制 P2P网贷"], length=3) == "风险控 险控制 控制 制 P2P 网贷 贷"
    assert cjk_query("风控 P2P网贷平台") == "风控 P2P 网贷平台"
    assert cjk_query("监管层希望平台回归信息中介") == "监管层希望平台回 平台回归信息中介"


def test_the_native_backend_alone_would_not_find_it(library):
    # Why courses/search.py exists: the plain full-text search misses the substring.
    assert not list(LessonPage.objects.live().search("征信"))
    assert list(LessonPage.objects.live().autocomplete(cjk_query("征信")))
