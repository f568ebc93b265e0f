import re

from flask_babel import get_locale, lazy_ngettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, EqualTo, InputRequired, Length, ValidationError
from zxcvbn import zxcvbn

from portal.accounts.models import StakeholderGroup, User
from portal.config import LOCALES
from portal.countries import country_choices
from portal.forms import Form
from portal.i18n import LANGUAGE_NAMES

MIN_PASSWORD_LENGTH = 10
#: scrypt hashes whatever it is given; a cap keeps one request from costing seconds.
MAX_PASSWORD_LENGTH = 128


class StrongPassword:
    """At least 10 characters and not guessable: zxcvbn score 3 or more, knowing the
    other fields the person typed (their e-mail address and name)."""

    def __init__(self, *related_fields: str):
        self.related_fields = related_fields

    def __call__(self, form, field):
        password = field.data or ""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise ValidationError(
                lazy_ngettext("Use at least %(num)d character.", "Use at least %(num)d characters.",
                              MIN_PASSWORD_LENGTH)
            )
        if len(password) > MAX_PASSWORD_LENGTH:
            # Longer ones could not be typed at sign-in, which takes this many at most.
            raise ValidationError(
                _l("Use %(num)d characters at most.", num=MAX_PASSWORD_LENGTH))
        related = [
            str(form[name].data or "") for name in self.related_fields if name in form
        ]
        if hasattr(form, "user_inputs"):
            related.extend(form.user_inputs)
        strength = zxcvbn(password, user_inputs=_guessable_words(related),
                          max_length=MAX_PASSWORD_LENGTH)
        if strength["score"] < 3:
            raise ValidationError(
                _l("This password is too easy to guess. Try a few unrelated words together.")
            )


def _guessable_words(texts: list[str]) -> list[str]:
    """What an attacker who knows the person would try: each text whole, run together
    without spaces, and word by word (an e-mail address split at its punctuation)."""
    words = set()
    for text in texts:
        parts = [part for part in re.split(r"[^\w]+", text.lower()) if len(part) > 2]
        words.update({text.lower(), "".join(parts), *parts})
    return sorted(words)


def _page_language() -> str:
    """The language the page is shown in: a new account prefers it unless told otherwise."""
    locale = get_locale()
    return locale.language if locale else "en"


def _choose(label):
    return [SelectChoice("", label)]


class ProfileFieldsMixin:
    name = StringField(_l("Full name"), validators=[InputRequired(), Length(max=120)])
    organisation = StringField(
        _l("Organisation"), validators=[InputRequired(), Length(max=200)]
    )
    stakeholder_group = SelectField(
        _l("Stakeholder group"), validators=[InputRequired(message=_l("Choose a group."))]
    )
    country = SelectField(
        _l("Country"), validators=[InputRequired(message=_l("Choose a country."))]
    )
    preferred_locale = SelectField(
        _l("Preferred language"),
        choices=[SelectChoice(code, LANGUAGE_NAMES[code], {"lang": code}) for code in LOCALES],
        default=_page_language,
    )

    def set_profile_choices(self):
        self.stakeholder_group.choices = _choose(_l("Choose your stakeholder group")) + [
            SelectChoice(group.value, group.label) for group in StakeholderGroup
        ]
        self.country.choices = _choose(_l("Choose your country")) + country_choices()


class SignUpForm(ProfileFieldsMixin, Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            InputRequired(),
            Email(message=_l("Enter an e-mail address like name@example.org.")),
            Length(max=254),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), StrongPassword("email", "name", "organisation")],
        description=_l("At least 10 characters. A few unrelated words make a good password."),
    )
    password_confirmation = PasswordField(
        _l("Repeat the password"),
        validators=[InputRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_profile_choices()


class SignInForm(Form):
    email = EmailField(_l("E-mail address"), validators=[InputRequired(), Length(max=254)])
    password = PasswordField(
        _l("Password"), validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    remember = BooleanField(_l("Keep me signed in on this device"))


class ProfileForm(ProfileFieldsMixin, Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_profile_choices()


class NewPasswordMixin:
    new_password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), StrongPassword()],
        description=_l("At least 10 characters. A few unrelated words make a good password."),
    )
    new_password_confirmation = PasswordField(
        _l("Repeat the new password"),
        validators=[
            InputRequired(),
            EqualTo("new_password", message=_l("The passwords differ.")),
        ],
    )


class PasswordChangeForm(NewPasswordMixin, Form):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_inputs = [user.email, user.name, user.organisation]


class PasswordResetRequestForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            InputRequired(),
            Email(message=_l("Enter an e-mail address like name@example.org.")),
        ],
    )


class SignInLinkRequestForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            InputRequired(),
            Email(message=_l("Enter an e-mail address like name@example.org.")),
            Length(max=254),
        ],
    )


class ConfirmationForm(Form):
    """A button that confirms what a link asked for (a link alone never acts: mail scanners
    open links)."""


class PasswordResetForm(NewPasswordMixin, Form):
    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_inputs = [user.email, user.name, user.organisation]


class AccountDeletionForm(Form):
    password = PasswordField(
        _l("Your password"), validators=[InputRequired(), Length(max=MAX_PASSWORD_LENGTH)],
        description=_l("To confirm that it is you."),
    )
