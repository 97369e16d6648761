from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "nachtwacht.web.sharing"
    label = "sharing"
    default_auto_field = "django.db.models.BigAutoField"
