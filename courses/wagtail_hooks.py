from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from courses.governance import course_governance_sync
from courses.models import CourseIndexPage, CoursePage, QuestionBank, Quiz


@hooks.register("after_create_page")
def govern_new_course_indexes(request, page):
    # A course index made in the admin (or its alias in another language, made by
    # simple_translation just before this hook) gets the permissions and the workflow.
    if isinstance(page.specific, CourseIndexPage | CoursePage):
        course_governance_sync()


class QuestionBankFilterSet(WagtailFilterSet):
    class Meta:
        model = QuestionBank
        fields = ["course"]


class QuestionBankViewSet(SnippetViewSet):
    model = QuestionBank
    icon = "help"
    menu_order = 100
    list_display = ["title", "course", "locale", "updated_at"]
    filterset_class = QuestionBankFilterSet


class QuizFilterSet(WagtailFilterSet):
    class Meta:
        model = Quiz
        fields = ["bank"]


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_order = 200
    list_display = ["title", "bank", "pass_mark", "attempt_limit", "locale", "updated_at"]
    filterset_class = QuizFilterSet


class QuizzesGroup(SnippetViewSetGroup):
    menu_label = _("Quizzes")
    menu_icon = "tasks"
    menu_order = 250
    items = (QuizViewSet, QuestionBankViewSet)


register_snippet(QuizzesGroup)
