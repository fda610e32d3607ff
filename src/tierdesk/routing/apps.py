from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "tierdesk.routing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the event handlers (and the sign-out hook); nothing else imports it.
        import tierdesk.routing.subscriptions  # noqa: F401
