"""Forms of the synthesis and of the silence procedure. They validate what was typed; they
never write."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from consultations.forms import LOCAL_TIME_FORMAT, CheckboxesField
from consultations.gcm import OBJECTIVES
from portal.forms import Form
from portal.i18n import language_name
from reviews.synthesis import MAX_TEXT_LENGTH, MAX_TITLE_LENGTH
from reviews.versions import MAX_NOTE_LENGTH

MAX_REASON_LENGTH = 5000


class ActionForm(Form):
    """A button's form: its CSRF token only."""


class GroupForm(Form):
    recommendations = CheckboxesField(_l("Recommendations to group"), coerce=int)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.recommendations.choices = list(choices)


class TargetForm(Form):
    """Where a recommendation moves to, or which group another is merged into."""

    target = SelectField(_l("Group"), coerce=int, validators=[InputRequired()])

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.target.choices = list(choices)


class GroupTextsForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=MAX_TITLE_LENGTH)])
    gcm_objectives = CheckboxesField(_l("GCM objectives"), coerce=int)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gcm_objectives.choices = [(number, f"{number}. {label}")
                                       for number, label in OBJECTIVES.items()]


def group_texts_form(languages: list[str], **kwargs) -> GroupTextsForm:
    """The group's form with one synthesised text field per language of the review."""

    class WithTexts(GroupTextsForm):
        pass

    for locale in languages:
        setattr(WithTexts, f"text_{locale}", TextAreaField(
            _l("Synthesised text in %(language)s", language=language_name(locale)),
            validators=[Length(max=MAX_TEXT_LENGTH)]))
    return WithTexts(**kwargs)


class VersionForm(Form):
    note = StringField(_l("Note on this version"), validators=[Length(max=MAX_NOTE_LENGTH)],
                       description=_l("For example: sent to the Member States for comments."))


class SilenceForm(Form):
    deadline = DateTimeLocalField(_l("Deadline (UTC)"), format=LOCAL_TIME_FORMAT,
                                  validators=[InputRequired()])
    validators_chosen = CheckboxesField(_l("Validating organisations"))
    amendments_allowed = BooleanField(_l("Validating organisations may propose an amendment"))

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.validators_chosen.choices = list(organisations)


class BreakSilenceForm(Form):
    validator = SelectField(_l("Organisation"), coerce=int, validators=[InputRequired()])
    reason = TextAreaField(_l("Why the silence is broken"),
                           validators=[InputRequired(), Length(max=MAX_REASON_LENGTH)])
    amendment = TextAreaField(_l("Proposed amendment"),
                              validators=[Optional(), Length(max=MAX_TEXT_LENGTH)])

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.validator.choices = list(choices)
