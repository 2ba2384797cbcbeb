"""Question bank rules the editor enforces, and grading as a pure function."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.blocks import StructBlockValidationError

from courses.blocks import MultipleChoiceBlock, SingleChoiceBlock, TrueFalseBlock
from courses.quizzes import QuizAnswerError, quiz_grade, quiz_paper_for
from tests.courses.factories import QuestionBankFactory, QuizFactory, answer_key, single

pytestmark = pytest.mark.django_db


def options(*correct: bool) -> dict:
    return {
        "text": "题目",
        "options": [{"text": f"选项{n}", "correct": c} for n, c in enumerate(correct)],
        "explanation": "",
    }


@pytest.mark.parametrize(
    ("block", "correct", "valid"),
    [
        (SingleChoiceBlock(), (True, False), True),
        (SingleChoiceBlock(), (False, False), False),
        (SingleChoiceBlock(), (True, True), False),
        (MultipleChoiceBlock(), (True, True, False), True),
        (MultipleChoiceBlock(), (False, False), False),
    ],
)
def test_choice_questions_need_their_right_answers_marked(block, correct, valid):
    value = block.to_python(options(*correct))
    if valid:
        block.clean(value)
    else:
        with pytest.raises(StructBlockValidationError):
            block.clean(value)


def test_a_choice_question_needs_two_options():
    block = SingleChoiceBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python(options(True)))


def test_true_false_questions_are_valid_either_way():
    block = TrueFalseBlock()
    block.clean(block.to_python({"text": "命题", "answer": "false", "explanation": ""}))


def test_a_quiz_cannot_ask_more_questions_than_its_bank_has():
    quiz = QuizFactory.build(bank=QuestionBankFactory(), question_count=4)
    with pytest.raises(ValidationError) as error:
        quiz.clean()
    assert "question_count" in error.value.message_dict


def test_papers_draw_the_asked_number_and_can_shuffle():
    bank = QuestionBankFactory(
        questions=[single(f"第{n}题", [("对", True), ("错", False)]) for n in range(10)]
    )
    quiz = QuizFactory(bank=bank, question_count=4, shuffle_questions=True)
    papers = [quiz_paper_for(quiz=quiz, user_id=1) for _ in range(8)]
    assert {len(p.questions) for p in papers} == {4}
    assert len({tuple(q.id for q in p.questions) for p in papers}) > 1
    assert all([q.number for q in p.questions] == [1, 2, 3, 4] for p in papers)


def test_grading_counts_rounds_down_and_keeps_explanations(quiz):
    ids = [block.id for block in quiz.bank.questions]
    answers = answer_key(quiz)
    answers[ids[2]] = ["false"]

    graded = quiz_grade(quiz=quiz, question_ids=ids, answers=answers)

    assert (graded.correct_count, graded.total, graded.score) == (2, 3, 66)
    assert graded.passed  # pass mark 60 %
    assert [q.is_correct for q in graded.questions] == [True, True, False]
    assert graded.questions[2].explanation.startswith("按前/中/后期策略")


def test_a_question_removed_since_the_paper_was_drawn_is_reported(quiz):
    with pytest.raises(QuizAnswerError) as refused:
        quiz_grade(quiz=quiz, question_ids=["gone"], answers={"gone": ["x"]})
    assert refused.value.code == "quiz_changed"


def test_grading_carries_each_questions_topic():
    kind, value = single("征信报告看什么？", [("信用记录", True), ("星座", False)])
    tagged = (kind, {**value, "topic": " 征信与大数据风控 "})
    quiz = QuizFactory(
        bank=QuestionBankFactory(
            questions=[tagged, single("无主题", [("对", True), ("错", False)])]
        )
    )
    ids = [block.id for block in quiz.bank.questions]

    graded = quiz_grade(quiz=quiz, question_ids=ids, answers=answer_key(quiz))

    assert [q.topic for q in graded.questions] == ["征信与大数据风控", ""]
    assert graded.questions[0].as_json()["topic"] == "征信与大数据风控"


def test_questions_saved_before_topics_existed_grade_without_one(quiz):
    ids = [block.id for block in quiz.bank.questions]
    graded = quiz_grade(quiz=quiz, question_ids=ids, answers=answer_key(quiz))
    assert {q.topic for q in graded.questions} == {""}
