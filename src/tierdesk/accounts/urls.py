"""URLs of the accounts web UI: sign-in (password, single sign-on, second factor), sign-out, the
landing page and the language switch.

The names are global ("login", "logout", "home") because settings.LOGIN_URL and
LOGIN_REDIRECT_URL and the portal refer to them by these bare names."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from tierdesk.accounts import views, views_sso, views_totp

account_patterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("account/language/", views.language_set, name="language"),
    path("login/sso/<slug:slug>/", views_sso.sso_start, name="sso_start"),
    path("login/sso/<slug:slug>/callback/", views_sso.sso_callback, name="sso_callback"),
    path("login/two-factor/", views_totp.second_factor_verify, name="second_factor_verify"),
    path("account/two-factor/", views_totp.second_factor_enrol, name="second_factor_enrol"),
    path("desk/security/lockouts/", views.lockouts, name="lockouts"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    *account_patterns,
    # The same views under the "accounts:" namespace too, for code that spells the names that way;
    # the bare patterns above match first, so each URL still resolves once.
    path("", include((account_patterns, "accounts"))),
]
