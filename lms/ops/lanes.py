"""The task lanes (queues) that settings.TASK_QUEUES names, for the tasks that pick one.

`@task(queue_name=ONBOARDING, priority=ONBOARDING_PRIORITY)`: what a new hire waits for.
On the database backend the priority is above Wagtail's (0, on "default"), so a worker
serving both lanes takes onboarding work first. RQ has no priorities (and refuses a
task that sets one); it takes a worker's queues in the order given instead, so there
the priority stays at the default and `run_worker --queues onboarding,default` orders.
`LONG` is for work that takes minutes or hours (media's transcodes name it themselves,
as media does not import lms).
"""

from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks.base import DEFAULT_TASK_PRIORITY

ONBOARDING = "onboarding"
LONG = "long"
DEFAULT = "default"

ONBOARDING_PRIORITY = (
    10 if task_backends[DEFAULT_TASK_BACKEND_ALIAS].supports_priority else DEFAULT_TASK_PRIORITY
)
