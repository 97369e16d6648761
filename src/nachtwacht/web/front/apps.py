from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "nachtwacht.web.front"
    label = "front"
    default_auto_field = "django.db.models.BigAutoField"
