"""The phone never learns which answer is right before the attempt is submitted."""

import re

import pytest

from courses.models import QuestionBank
from tests.courses.factories import default_questions

pytestmark = pytest.mark.django_db

VOLATILE = re.compile(r'(name="(?:paper|csrfmiddlewaretoken)" value=")[^"]+"')


HINT = "Choose every correct answer."  # the multiple-choice hint, the one allowed "correct"


def without_hint(html: str) -> str:
    return html.replace(HINT, "")


def lesson_html(client, lesson) -> str:
    html = client.get(lesson.url).content.decode()
    return VOLATILE.sub(r'\1…"', html)


def flip_every_answer(bank: QuestionBank) -> None:
    raw = list(bank.questions.raw_data)
    for block in raw:
        value = block["value"]
        if block["type"] == "true_false":
            value["answer"] = "false" if value["answer"] == "true" else "true"
        else:
            for option in value["options"]:
                option["value"]["correct"] = not option["value"]["correct"]
    bank.questions = raw
    bank.save()


def test_the_lesson_page_is_the_same_whichever_options_are_right(role_client, lesson, quiz):
    client = role_client("Learner")
    before = lesson_html(client, lesson)

    flip_every_answer(quiz.bank)
    after = lesson_html(client, lesson)

    assert 'name="paper"' in before
    assert before == after


def test_the_lesson_page_has_no_answers_or_explanations(role_client, lesson, quiz):
    html = role_client("Learner").get(lesson.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert HINT in html
    html = without_hint(html)

    for _kind, question in default_questions():
        assert question["text"] in html
        assert question["explanation"] not in html
    assert "correct" not in html.lower()
    assert "explanation" not in html.lower()
    # No JSON with the quiz or its bank goes to the page either.
    assert "application/json" not in html and '"options"' not in html


def test_the_paper_token_carries_question_ids_only(role_client, lesson, quiz):
    from django.core import signing

    from courses.quizzes import PAPER_SALT

    html = role_client("Learner").get(lesson.url).content.decode()
    token = re.search(r'name="paper" value="([^"]+)"', html).group(1)

    paper = signing.loads(token, salt=PAPER_SALT)

    assert set(paper) == {"quiz", "user", "questions"}
    assert paper["questions"] == [block.id for block in quiz.bank.questions]


def test_shuffled_options_still_hide_the_answer(role_client, lesson, quiz):
    quiz.shuffle_options = True
    quiz.shuffle_questions = True
    quiz.save()
    html = role_client("Learner").get(lesson.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "correct" not in without_hint(html).lower()
    assert html.count('type="radio"') == 5 and html.count('type="checkbox"') == 3
