"""The base of every form of the portal: its text fields hold plain text (portal/plain_text.py).

Browsers send line breaks as ``\\r\\n``; they are stored as ``\\n``. Bidirectional overrides,
embeddings and isolates are taken out. A text holding another control character is refused
with a message, and the form keeps what was typed. Passwords are never stored as typed and are
left as they are.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import ValidationError

from portal.plain_text import has_control_characters, one_line_ending, without_bidi_controls


def no_control_characters(form, field) -> None:
    if isinstance(field.data, str) and has_control_characters(field.data):
        raise ValidationError(_l("Remove the invisible control characters from this text."))


def _typed_text(field_class) -> bool:
    return issubclass(field_class, StringField) and not issubclass(
        field_class, PasswordField | HiddenField)


class Form(FlaskForm):
    """A Flask-WTF form whose text fields normalise line breaks, drop bidirectional controls
    and refuse control characters."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if _typed_text(unbound_field.field_class):
                # The portal's fields take their validators and filters by keyword.
                arguments = unbound_field.kwargs
                options = {
                    **options,
                    "filters": [one_line_ending, without_bidi_controls,
                                *arguments.get("filters", ())],
                    "validators": [*(arguments.get("validators") or ()),
                                   no_control_characters],
                }
            return unbound_field.bind(form=form, **options)
