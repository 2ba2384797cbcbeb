"""Lesson documents follow the lesson's access rule; other documents keep Wagtail's.

/documents/<id>/<name> is Wagtail's download view. The learning domain takes part
through its `before_serve_document` hook (lms/learner/wagtail_hooks.py), as it does for
pages: a document a lesson offers is downloaded by exactly the people who may open such
a lesson, by role, through the HTTP client as a person reaches it.
"""

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from tests.courses.factories import (
    CourseIndexPageFactory,
    CoursePageFactory,
    LessonPageFactory,
    root_collection,
)
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db

CONTENT = "催收作业规范 v3".encode()


def document(title: str = "催收作业规范", collection: Collection | None = None):
    return get_document_model().objects.create(
        title=title,
        file=ContentFile(CONTENT, name="collection-rules.pdf"),
        collection=collection or root_collection(),
    )


def client_as(role: str | None, groups: tuple[str, ...] = ()) -> Client:
    client = Client()
    if role is not None:
        employee = EmployeeFactory(roles=[role])
        employee.user.groups.add(*[Group.objects.get_or_create(name=name)[0] for name in groups])
        client.force_login(employee.user)
    return client


@pytest.fixture
def audience():
    return Group.objects.create(name="资产保全部")


@pytest.fixture
def hidden_course(audience):
    """A course only the 资产保全部 group may see."""
    return CoursePageFactory(
        parent=CourseIndexPageFactory(),
        title="催收合规",
        visibility="groups",
        visible_to_groups=[audience],
    )


def downloads(client: Client, doc) -> bytes:
    response = client.get(doc.url)
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("offered_by", ["block", "text link"])
def test_a_lesson_document_is_for_the_people_who_may_see_the_lesson(
    hidden_course, audience, offered_by
):
    doc = document()
    body = (
        [("document", {"document": doc, "title": "", "description": ""})]
        if offered_by == "block"
        else [("text", f'<p>请先阅读<a linktype="document" id="{doc.pk}">规范</a>。</p>')]
    )
    lesson = LessonPageFactory(parent=hidden_course, body=body)
    assert lesson.document_ids() == {doc.pk}

    anonymous = Client().get(doc.url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/accounts/login/?next=/documents/")

    assert client_as("Learner").get(doc.url).status_code == 404
    assert downloads(client_as("Learner", groups=(audience.name,)), doc) == CONTENT
    assert downloads(client_as("Trainer"), doc) == CONTENT
    assert downloads(client_as("HR"), doc) == CONTENT


def test_a_document_of_a_draft_lesson_is_for_staff(hidden_course, audience):
    doc = document()
    LessonPageFactory(
        parent=hidden_course,
        body=[("document", {"document": doc, "title": "", "description": ""})],
        publish=False,
    )
    assert client_as("Learner", groups=(audience.name,)).get(doc.url).status_code == 404
    assert downloads(client_as("Trainer"), doc) == CONTENT


def test_a_document_shown_in_any_lesson_the_learner_sees_is_theirs(hidden_course):
    doc = document()
    block = [("document", {"document": doc, "title": "", "description": ""})]
    LessonPageFactory(parent=hidden_course, body=block)
    everyone = CoursePageFactory(parent=hidden_course.get_parent(), title="入职须知")
    LessonPageFactory(parent=everyone, body=block)
    assert downloads(client_as("Learner"), doc) == CONTENT


def test_documents_no_lesson_uses_keep_wagtails_collection_privacy():
    public = document("员工手册")
    assert downloads(Client(), public) == CONTENT

    private = root_collection().add_child(name="HR only")
    CollectionViewRestriction.objects.create(
        collection=private, restriction_type=CollectionViewRestriction.LOGIN
    )
    restricted = document("薪酬制度", collection=private)
    response = Client().get(restricted.url)
    assert response.status_code == 302
    assert response["Location"].endswith(f"login/?next={restricted.url}")
    assert downloads(client_as("Learner"), restricted) == CONTENT
