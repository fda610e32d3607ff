from django.apps import AppConfig


class TicketsConfig(AppConfig):
    name = "tierdesk.tickets"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers the push of new public replies to open ticket pages (after commit).
        import tierdesk.tickets.realtime  # noqa: F401
