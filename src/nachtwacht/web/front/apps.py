from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "nachtwacht.web.front"
    label = "front"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Cached viewer envelopes go with their upload; connected here so a worker or a
        # management command that never imports the viewer views still cleans up.
        from nachtwacht.web import viewer
        from nachtwacht.web.views import dashboard

        viewer.connect()
        # A deleted night or episode drops the cached trigger analyses (privacy: no
        # finding may still rest on it), whichever process deletes it.
        dashboard.connect_deletions()
