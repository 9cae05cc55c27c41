"""The signed-in user's own account (/account/), and password reset by e-mail (Django's views)."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import self_views
from .forms import OwnPasswordChangeForm, ResetPasswordForm, ResetRequestForm

app_name = "account"
urlpatterns = [
    path("", self_views.account_home, name="home"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            form_class=OwnPasswordChangeForm,
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("account:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_done.html"),
        name="password_change_done",
    ),
    path(
        "reset/",
        auth_views.PasswordResetView.as_view(
            form_class=ResetRequestForm,
            template_name="accounts/password_reset.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("account:password_reset_sent"),
        ),
        name="password_reset",
    ),
    path(
        "reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password_reset_sent",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=ResetPasswordForm,
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("account:password_reset_done"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path("two-factor/", self_views.two_factor, name="two_factor"),
    path("two-factor/qr.svg", self_views.two_factor_qr, name="two_factor_qr"),
    path("two-factor/verify/", self_views.two_factor_verify, name="two_factor_verify"),
    path("tokens/new/", self_views.token_create, name="token_create"),
    path("tokens/<int:pk>/revoke/", self_views.token_revoke, name="token_revoke"),
]
