"""The e-mail domains form of the desk's organisation page: one domain per line. It converts the
textarea into a list only; whether a line is a domain name, and whether another organisation has
it, is accounts.services.organisation_update's answer, shown on the form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tierdesk.accounts.schemas import MAX_DOMAINS


def domain_lines(text: str) -> list[str]:
    """The non-blank lines, in the order typed."""
    return [line.strip() for line in text.splitlines() if line.strip()]


class OrganisationDomainsForm(forms.Form):
    # Empty is allowed: it removes every domain (single sign-on then places nobody here by domain).
    domains = forms.CharField(
        label=_("E-mail domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "false", "autocapitalize": "none"}),
        help_text=_(
            "One per line, e.g. example.org. New customers who sign in with an address there join this organisation."
        ),
    )

    def clean_domains(self) -> list[str]:
        lines = domain_lines(self.cleaned_data["domains"])
        # The same bound as the API's (accounts.schemas.Domains): a list, not a catalogue.
        if len(lines) > MAX_DOMAINS:
            raise forms.ValidationError(
                ngettext("At most %(count)d domain.", "At most %(count)d domains.", MAX_DOMAINS)
                % {"count": MAX_DOMAINS},
            )
        return lines
