from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "tierdesk.mail"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the event handlers; nothing else in the project imports this module.
        import tierdesk.mail.subscriptions  # noqa: F401
