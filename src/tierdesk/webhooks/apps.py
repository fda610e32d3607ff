from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "tierdesk.webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the event handlers; nothing else in the project imports this module.
        import tierdesk.webhooks.subscriptions  # noqa: F401
