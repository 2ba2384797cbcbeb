from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    """Wagtail pages for courses and lessons (built in the courses issue)."""

    name = "courses"
    verbose_name = _("Courses")
