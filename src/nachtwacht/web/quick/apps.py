from django.apps import AppConfig


class QuickConfig(AppConfig):
    name = "nachtwacht.web.quick"
    label = "quick"
    default_auto_field = "django.db.models.BigAutoField"
