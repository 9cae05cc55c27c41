from django import forms
from django.contrib.auth.forms import PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from binhdang.core.forms import StyledForm

from .models import OversightFunction, Role


class _AccountFields(StyledForm):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    title = forms.CharField(label=_("Position"), max_length=255, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, roles: list[Role], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]


class UserCreateForm(_AccountFields):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Use letters, digits and . @ + - _ only.")},
    )
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    field_order = ["username", "password", "full_name", "title", "email", "phone", "role"]


class UserEditForm(_AccountFields):
    is_active = forms.BooleanField(label=_("Active"), required=False)
    unit_code = forms.CharField(
        label=_("Move to unit (code)"),
        max_length=32,
        required=False,
        help_text=_(
            "The code shown on the unit's page, e.g. P51-D001 or 21034. Leave empty to keep."
        ),
    )


class PasswordForm(StyledForm):
    password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)


def _styled(form_class):
    """Django's own auth form with Bootstrap's classes on its widgets."""

    return type(form_class.__name__, (form_class, StyledForm), {})


OwnPasswordChangeForm = _styled(PasswordChangeForm)
ResetRequestForm = _styled(PasswordResetForm)
ResetPasswordForm = _styled(SetPasswordForm)


class CodeForm(StyledForm):
    """The six-digit code an authenticator app shows."""

    code = forms.RegexField(
        label=_("Code from the authenticator app"),
        regex=r"^\s*(\d{3}\s?\d{3}|[A-Za-z2-7]{8})\s*$",
        max_length=10,
        error_messages={"invalid": _("Type the 6 digits the app shows, e.g. 123456.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class OversightGrantForm(StyledForm):
    """A system administrator gives a unit oversight of another unit's subtree."""

    grantee_code = forms.CharField(
        label=_("Overseeing unit (code)"),
        max_length=32,
        help_text=_("The code shown on the unit's page, e.g. BNV-D001."),
    )
    unit_code = forms.CharField(
        label=_("Overseen unit (code)"),
        max_length=32,
        help_text=_("Its whole subtree is overseen, e.g. VN for the whole country."),
    )
    functions = forms.MultipleChoiceField(
        label=_("Functions"),
        choices=OversightFunction.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    valid_from = forms.DateField(label=_("Valid from"), help_text=_("dd/mm/yyyy"))
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, help_text=_("Leave empty while it lasts.")
    )
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The decree or decision that gives this function, with its number and date."),
    )
