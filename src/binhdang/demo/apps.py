from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data across the apps; it depends on all of them and nothing depends on it."""

    name = "binhdang.demo"
    label = "demo"
