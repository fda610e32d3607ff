"""Forms of the accounts web UI: they validate and convert input, nothing more."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Django's sign-in form with our labels and autocomplete hints.

    Authentication goes through the configured backends, so django-axes counts every failure."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].label = _("Password")
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})


class LanguageForm(forms.Form):
    """The language the signed-in user reads the desk in.

    A plain text field on purpose: `user_set_language` is the one place that knows which
    languages exist, so an unknown code reaches it and comes back as its domain error."""

    language = forms.CharField(label=_("Language"), max_length=8)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def language_choices() -> list[tuple[str, str]]:
        return [(code, str(name)) for code, name in settings.LANGUAGES]


class SecondFactorForm(forms.Form):
    """A six-digit code from the authenticator app, or a recovery code."""

    code = forms.CharField(label=_("Code"), max_length=40, strip=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        )
