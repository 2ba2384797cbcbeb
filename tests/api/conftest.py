import pytest
from django.apps import apps
from django.db import models

from tests.courses.fixtures import course, course_index, lesson, quiz  # noqa: F401


@pytest.fixture
def rows_holding():
    """A function: every table column, in every model, whose value contains the text."""

    def holding(text: str) -> list[str]:
        """Every table column, in every model, whose value contains the text."""
        found = []
        for model in apps.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            for field in model._meta.concrete_fields:
                textual = (
                    isinstance(field, (models.CharField, models.TextField)) and not field.choices
                )
                lookup = {f"{field.name}__contains": text}
                if textual and model._default_manager.filter(**lookup).exists():
                    found.append(f"{model._meta.db_table}.{field.column}")
        return found

    return holding
