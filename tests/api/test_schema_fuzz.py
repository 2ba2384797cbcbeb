"""The API holds to its schema: schemathesis runs every operation of /api/v1/schema/.

For each role (anonymous, the phone's learner, trainer, HR in the browser, a manager, an
HRIS script) schemathesis sends generated requests, valid and invalid, to a live server
holding the demo data, and requires: no server error, every response and status code as
the schema documents it, valid input accepted (2xx, or the documented 404/409 of a
lookup or a rule) by an operation the role may call, and an operation the role may not
call answering its documented 401 (anonymous) or 403, whatever the input.

Ids that exist (courses, lessons, quizzes, sessions, videos) are mixed into the
generated ones, so requests get past the 404s to the code behind them. The seed is fixed
and generation deterministic: a run is the same run every time. It runs once per CI run,
on SQLite (marked `fuzz`; skipped on PostgreSQL, where it would find nothing new).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
import requests
import schemathesis
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.test import Client, override_settings
from django.utils.crypto import get_random_string
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import NEGATIVE_DATA_REJECTION_EXPECTED_STATUSES as NEGATIVE
from schemathesis.engine import Status, events, from_schema

from courses.models import CoursePage, LessonPage, Quiz
from lms.org.services import api_token_create
from lms.sessions.models import InPersonSession
from media.models import Video

pytestmark = [
    pytest.mark.fuzz,
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="Fuzzing runs once per CI run, in the SQLite pass.",
    ),
]

User = get_user_model()

SEED = 20260414
# The role an operation is first allowed to ("its owner") runs all of it: the examples,
# the coverage phase (boundaries and each kind of wrong input, systematically) and
# OWNER_EXAMPLES generated requests, valid and invalid. Any other role allowed to call it
# sends OTHER_EXAMPLES valid requests (its own data, its own answers' shape); a role that
# may not call it sends REFUSED_EXAMPLES requests, valid and invalid, that must all be
# refused. The stateful phase (sign up, accept, cancel, answer …) runs for STATEFUL_ROLES.
OWNER_EXAMPLES = 8
OTHER_EXAMPLES = 3
REFUSED_EXAMPLES = 2
STATEFUL_ROLES = frozenset({"learner"})
STATEFUL_STEPS = 8

# Operation labels, as schemathesis names them.
TOKEN = "POST /api/v1/auth/token/"
REVOKE = "POST /api/v1/auth/token/revoke/"
BRIEF = "GET /api/v1/sessions/{id}/brief/"
HR_EMPLOYEES = "PUT /api/v1/hr/employees/"
HR_COMPLETIONS = "GET /api/v1/hr/completions/"
VIDEOS = {
    "GET /api/v1/videos/{id}/",
    "POST /api/v1/videos/uploads/",
    "GET /api/v1/videos/uploads/{upload_id}/",
    "PUT /api/v1/videos/uploads/{upload_id}/",
    "DELETE /api/v1/videos/uploads/{upload_id}/",
    "POST /api/v1/videos/uploads/{upload_id}/complete/",
}
# Bodies the schema cannot tell valid from invalid because validity is data: a quiz
# paper token is one GET quiz issued (and signed), survey answers answer that survey's
# questions. A schema-valid body may get the documented 400 there; every other check holds.
# The same for the credentials of POST auth/token/ (400: not an account's), and the rows
# of PUT hr/employees/ (a department, position or manager that must exist), and an upload
# chunk (its Content-Range must start at the upload's offset, its checksum match its bytes).
CHUNK = "PUT /api/v1/videos/uploads/{upload_id}/"
DATA_DEPENDENT = {
    TOKEN,
    HR_EMPLOYEES,
    CHUNK,
    "POST /api/v1/quizzes/{quiz_ref}/attempts/",
    "PUT /api/v1/sessions/{id}/survey/",
}
# The events batch checks each event on its own: a batch holding an invalid event is
# answered 200 with that event `rejected` (a phone's offline queue must not retry a bad
# event forever), so schema-invalid items are not refused as a whole. That each is
# rejected alone is tests/progress/test_events.py's.
PER_ITEM_VALIDATION = {"POST /api/v1/progress/events/"}
# A declared file size above the limit is refused as 413 with the limit in words.
REFUSED_AS_TOO_BIG = {"POST /api/v1/videos/uploads/"}
DATA_DEPENDENT_STATUSES = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
STAFF_ONLY = {BRIEF, HR_EMPLOYEES, HR_COMPLETIONS, *VIDEOS}


@dataclasses.dataclass(frozen=True)
class Role:
    """Who calls the API, how they sign in, and which operations are theirs to call.

    `may` lists the staff operations the role may call; every other operation is open to
    any signed-in person. `skip` are operations not run as this role at all.
    """

    name: str
    username: str | None  # None: anonymous
    sign_in: str = "token"  # "token" (the phone, an HRIS script) or "session" (a browser)
    may: frozenset[str] = frozenset()
    skip: frozenset[str] = frozenset()


VIDEO = "GET /api/v1/videos/{id}/"
# Who may do what is the roles' permissions (lms/org/roles.py): a trainer manages videos
# and reads the briefs of the sessions they teach; HR sees videos, reads every brief and
# calls the HR operations.
TRAINER = frozenset({BRIEF, *VIDEOS})
HR = frozenset({BRIEF, VIDEO, HR_EMPLOYEES, HR_COMPLETIONS})

ROLES = [
    Role("anonymous", None),
    # Revoking its own token would sign the role out for the rest of the run.
    Role("learner", "demo.learner", skip=frozenset({REVOKE})),
    Role("trainer", "demo.trainer", "session", may=TRAINER),
    Role("hr", "demo.hr", "session", may=HR),
    # A department head who also teaches: the demo gives leaders the Trainer role.
    Role("manager", "E1001", may=TRAINER, skip=frozenset({REVOKE})),
    Role("hris", "fuzz.hris", may=HR, skip=frozenset({REVOKE})),
]


@pytest.fixture
def demo(settings, transactional_db) -> dict[str, list[Any]]:
    settings.DEBUG = True
    # The demo's videos stay queued: transcoding them is the pipeline's tests' work.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "QUEUES": settings.TASK_QUEUES,
        }
    }
    call_command("seed_demo", "--language", "en", stdout=StringIO())
    settings.DEBUG = False
    hr = User.objects.get(username="demo.hr")
    hris = User.objects.create_user("fuzz.hris")
    hris.groups.set(hr.groups.all())
    lessons = list(LessonPage.objects.live().values_list("pk", flat=True))
    quizzes = list(Quiz.objects.values_list("pk", "translation_key"))
    return {
        "course_id": list(CoursePage.objects.live().values_list("pk", flat=True)),
        "lesson_id": lessons,
        "quiz_ref": [str(pk) for pk, _key in quizzes] + [str(key) for _pk, key in quizzes],
        "session_id": list(InPersonSession.objects.values_list("pk", flat=True)),
        "video_id": list(Video.objects.values_list("pk", flat=True)),
    }


def _api_token(user: Any) -> str:
    """The `Authorization` header value a phone or an HRIS script sends as `user`.

    The one place the test knows how API tokens are made: change it with the token model.
    """
    return f"Token {api_token_create(user=user)}"


def _headers(role: Role, base_url: str) -> dict[str, str]:
    if role.username is None:
        return {}
    user = User.objects.get(username=role.username)
    if role.sign_in == "token":
        return {"Authorization": _api_token(user)}
    client = Client()
    client.force_login(user)
    # Django accepts any well-formed secret as long as the cookie and the header agree.
    csrf = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)
    return {
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
        "Referer": f"{base_url}/",
    }


def _allowed(role: Role, label: str) -> bool:
    return (
        label == TOKEN
        or (role.username is not None and label not in STAFF_ONLY)
        or label in role.may
    )


def _owner(label: str) -> str:
    """The first role allowed to call an operation; TOKEN (anyone's) is the learner's."""
    return next(
        r.name
        for r in ROLES
        if r.username is not None and label not in r.skip and _allowed(r, label)
    )


def _only_fuzzing(mode: str, examples: int) -> dict[str, Any]:
    return {
        "examples": {"enabled": False},
        "coverage": {"enabled": False},
        "fuzzing": {"generation": {"mode": mode, "max-examples": examples}},
    }


def _config(role: Role, operations: list[str], ids: dict[str, list[Any]], headers: dict) -> dict:
    dictionaries = {name: {"values": values} for name, values in ids.items() if values}
    by_id = {"probability": 0.7}
    parameters = {
        "path.course_id": {"dictionary": "course_id", **by_id},
        "path.lesson_id": {"dictionary": "lesson_id", **by_id},
        "path.quiz_ref": {"dictionary": "quiz_ref", **by_id},
        "query.lesson": {"dictionary": "lesson_id", "probability": 0.5},
        "query.course": {"dictionary": "course_id", "probability": 0.5},
    }
    per_operation: list[dict[str, Any]] = []
    for label in operations:
        path = label.split(" ", 1)[1]
        # By name ("METHOD path"): include-method and include-path would match either.
        selector: dict[str, Any] = {"include-name": label}
        if label in role.skip:
            per_operation.append({**selector, "enabled": False})
            continue
        if "{id}" in path:
            name = "video_id" if path.startswith("/api/v1/videos/") else "session_id"
            if name in dictionaries:
                selector["parameters"] = {"path.id": {"dictionary": name, **by_id}}
        owner = _owner(label) == role.name
        if not _allowed(role, label):
            refused = "401" if role.username is None else "403"
            # Whatever is sent, the answer is the refusal (or 404 for an id in the path
            # that is not an id at all, which never reaches the view).
            selector["checks"] = {
                "positive_data_acceptance": {"expected-statuses": [refused]},
            }
            selector["phases"] = _only_fuzzing("all", REFUSED_EXAMPLES)
        else:
            if label in DATA_DEPENDENT:
                selector["checks"] = {
                    "positive_data_acceptance": {"expected-statuses": DATA_DEPENDENT_STATUSES}
                }
            if label in PER_ITEM_VALIDATION:
                selector["checks"] = {"negative_data_rejection": {"enabled": False}}
            if label in REFUSED_AS_TOO_BIG:
                selector["checks"] = {
                    "negative_data_rejection": {"expected-statuses": [*NEGATIVE, "413"]}
                }
            if not owner:
                selector["phases"] = _only_fuzzing("positive", OTHER_EXAMPLES)
        if len(selector) > 1:  # schemathesis refuses a selector that changes nothing
            per_operation.append(selector)
    generation = {
        "mode": "all",
        "max-examples": OWNER_EXAMPLES,
        "deterministic": True,
        "no-shrink": True,
    }
    return {
        "seed": SEED,
        "headers": headers,
        "parameters": parameters,
        "dictionaries": dictionaries,
        "generation": generation,
        "checks": {
            "enabled": True,
            # Answers 2xx while the role's data says otherwise are the role rules' own
            # tests (tests/api, tests/sessions); object-level checks need two owners.
            # A browser's session cookie still signs it in when the check drops the token.
            "ignored_auth": {"enabled": role.username is not None and role.sign_in == "token"},
        },
        "phases": {
            "stateful": {"enabled": role.name in STATEFUL_ROLES, "max-steps": STATEFUL_STEPS}
        },
        "operations": per_operation,
        "workers": 1,
        "request-timeout": 30,
    }


def _failures(stream: Iterator[events.EngineEvent]) -> list[str]:
    found: list[str] = []
    for event in stream:
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            if event.status not in (Status.FAILURE, Status.ERROR):
                continue
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    if node.failure_info is None:
                        continue
                    failure = node.failure_info.failure
                    found.append(
                        f"{failure.operation}: {failure.title}\n{failure.message}\n"
                        f"{node.failure_info.code_sample}"
                    )
        elif isinstance(event, events.NonFatalError):
            found.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            found.append(f"fatal: {event.exception!r}")
    return found


def _run(role: Role, base_url: str, ids: dict[str, list[Any]]) -> list[str]:
    with override_settings(ONRAMP_API_DOCS_PUBLIC=True):
        raw = requests.get(f"{base_url}/api/v1/schema/?format=json", timeout=30).json()
    operations = [
        f"{method.upper()} {path}"
        for path, item in raw["paths"].items()
        for method in item
        if method in ("get", "put", "post", "patch", "delete")
    ]
    config = SchemathesisConfig.from_dict(_config(role, operations, ids, _headers(role, base_url)))
    schema = schemathesis.openapi.from_dict(raw, config=config)
    schema.config.update(base_url=base_url)
    return sorted(set(_failures(from_schema(schema).execute())))


def test_every_operation_holds_to_the_schema(demo, live_server, subtests):
    # One seeded database for all roles: seeding costs more than fuzzing one role.
    for role in ROLES:
        with subtests.test(role=role.name):
            failures = _run(role, live_server.url, demo)
            assert not failures, f"{len(failures)} failures as {role.name}:\n\n" + "\n\n".join(
                failures
            )
