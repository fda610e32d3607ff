from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tierdesk.accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from tierdesk.accounts.lockout import on_user_locked_out

        user_locked_out.connect(on_user_locked_out, dispatch_uid="tierdesk-audit-lockout")
