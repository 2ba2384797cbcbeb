from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`manage.py seed_demo` and the demo data it loads; no product app imports it."""

    name = "lms.demo"
    label = "demo"
