"""Forms of the recommendations area. They validate what was typed; they never write."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from consultations.forms import CheckboxesField, language_choices
from consultations.gcm import OBJECTIVES
from portal.forms import Form
from recommendations.drafting import MAX_TEXT_LENGTH
from recommendations.models import VOTE_CHOICE_LABELS, VoteChoice
from recommendations.voting import MAX_RESERVATION_LENGTH

TEXT_HELP = _l("Put text still under negotiation in square brackets [like this]: it is shown "
               "highlighted, and a text with brackets cannot be put to a final vote.")


class RecommendationForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=300)])
    theme = StringField(_l("Theme"), validators=[Length(max=300)])
    gcm_objectives = CheckboxesField(_l("GCM objectives"), coerce=int)
    group = SelectField(_l("Drafted by"), coerce=int)
    language = SelectField(_l("Language of the title, theme and text"),
                           description=_l("Translations into the other languages are added "
                                          "later, for the outcome documents."))
    text = TextAreaField(_l("Text"), validators=[InputRequired(), Length(max=MAX_TEXT_LENGTH)],
                         description=TEXT_HELP)

    def __init__(self, *args, groups=(), languages=("en",), **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices(languages)
        if self.language.data is None:
            self.language.data = languages[0]
        self.gcm_objectives.choices = [
            SelectChoice(number, _l("%(number)d. %(title)s", number=number, title=title))
            for number, title in OBJECTIVES.items()]
        self.group.choices = [SelectChoice(0, _l("The plenary"))] + [
            SelectChoice(group.id, group.name) for group in groups]


class RevisionForm(Form):
    text = TextAreaField(_l("New text"), validators=[InputRequired(),
                                                     Length(max=MAX_TEXT_LENGTH)],
                         description=TEXT_HELP)


class AmendmentForm(Form):
    text = TextAreaField(_l("Proposed text"), validators=[InputRequired(),
                                                          Length(max=MAX_TEXT_LENGTH)],
                         description=_l("The whole text as you would have it."))
    rationale = TextAreaField(_l("Why"), validators=[Length(max=5000)])


class VoteForm(Form):
    choice = RadioField(_l("Your vote"), validators=[InputRequired(
        message=_l("Choose how you vote."))], choices=[
        SelectChoice(choice.value, VOTE_CHOICE_LABELS[choice]) for choice in VoteChoice])
    reservation = TextAreaField(
        _l("Your reservation"), validators=[Length(max=MAX_RESERVATION_LENGTH)],
        description=_l("Required with “support with reservations”; quoted in the outcome "
                       "document."))

    def validate_reservation(self, field):
        if self.choice.data == VoteChoice.support_with_reservations and not (
                field.data or "").strip():
            raise ValidationError(_l("Write your reservation: it is kept with the result."))


#: The most hands counted for one choice in a room (as many as a quorum may ask for).
MAX_HANDS = 100_000


class OpenRoundForm(Form):
    countdown_minutes = IntegerField(
        _l("Countdown in minutes"), validators=[Optional(), NumberRange(min=1, max=240)],
        description=_l("Leave empty to close the vote by hand."))
    quorum = IntegerField(_l("Quorum (votes cast)"),
                          validators=[Optional(), NumberRange(min=1, max=MAX_HANDS)],
                          description=_l("Leave empty for the consultation's quorum."))
    stakeholder_rule = BooleanField(
        _l("Not adopted if a majority of any one stakeholder group opposes"))


class CloseRoundForm(Form):
    #: Required by the server when the turnout is below the quorum or amendments are pending.
    confirm = BooleanField(_l("Close the vote all the same"))


class ReopenRoundForm(Form):
    reason = TextAreaField(_l("Why reopen this vote"), validators=[
        InputRequired(message=_l("Say why the vote is reopened.")), Length(max=2000)],
        description=_l("A vote can be reopened once. The votes cast stay; participants can "
                       "vote or change their vote until it is closed again."))


class InRoomForm(Form):
    support = IntegerField(_l("Support"), validators=[Optional(), NumberRange(0, MAX_HANDS)],
                           default=0)
    support_with_reservations = IntegerField(
        _l("Support with reservations"), validators=[Optional(), NumberRange(0, MAX_HANDS)],
        default=0)
    oppose = IntegerField(_l("Oppose"), validators=[Optional(), NumberRange(0, MAX_HANDS)],
                          default=0)
    abstain = IntegerField(_l("Abstain"), validators=[Optional(), NumberRange(0, MAX_HANDS)],
                           default=0)


class MergeForm(Form):
    title = StringField(_l("Title of the merged recommendation"),
                        validators=[InputRequired(), Length(max=300)])
    theme = StringField(_l("Theme"), validators=[Length(max=300)])
    text = TextAreaField(_l("Merged text"), validators=[InputRequired(),
                                                        Length(max=MAX_TEXT_LENGTH)])
