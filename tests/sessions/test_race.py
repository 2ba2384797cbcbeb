"""No overbooking, ever: many people racing for the last seats at the same moment.

Runs on whatever database DATABASE_URL names (SQLite by default, PostgreSQL in CI),
with real transactions and one connection per thread, as in a busy web server.
"""

import threading

import pytest
from django.db import connection, connections

from lms.sessions.models import SignUp
from lms.sessions.services import SessionRefused, session_sign_up, signup_cancel
from tests.sessions.factories import InPersonSessionFactory, learner

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 16


def _race(target, args_list):
    barrier = threading.Barrier(len(args_list))
    errors: list[BaseException] = []
    results: list[object] = []

    def run(args):
        try:
            barrier.wait(timeout=30)
            results.append(target(*args))
        except SessionRefused as refused:
            results.append(refused.code)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(args,)) for args in args_list]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results


def test_racing_sign_ups_never_overbook():
    session = InPersonSessionFactory(capacity=3)
    people = [learner() for _ in range(RACERS)]
    results = _race(
        lambda user: session_sign_up(session=session, user=user).status, [(u,) for u in people]
    )
    assert sorted(results).count("confirmed") == 3
    assert sorted(results).count("waitlisted") == RACERS - 3
    assert session.signups.filter(status__in=SignUp.SEATED).count() == 3
    print(f"{connection.vendor}: {RACERS} racers, 3 seats, {results.count('confirmed')} confirmed")


def test_racing_cancellations_and_sign_ups_keep_the_count():
    session = InPersonSessionFactory(capacity=2)
    seated = [learner() for _ in range(2)]
    for user in seated:
        session_sign_up(session=session, user=user)
    newcomers = [learner() for _ in range(8)]
    jobs = [(signup_cancel, user) for user in seated] + [
        (session_sign_up, user) for user in newcomers
    ]
    _race(lambda fn, user: fn(session=session, user=user).status, jobs)
    assert session.signups.filter(status__in=SignUp.SEATED).count() <= 2
    # Every freed seat went to someone: offered or confirmed, never lost.
    assert session.signups.filter(status__in=SignUp.SEATED).count() == 2


def test_the_same_person_racing_themself_gets_one_place():
    session = InPersonSessionFactory(capacity=5)
    user = learner()
    _race(lambda u: session_sign_up(session=session, user=u).status, [(user,)] * 8)
    assert session.signups.filter(user=user).count() == 1
