"""Forms of the follow-up: a commitment and a progress report. They validate what was typed;
they never write."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from consultations.forms import enum_choices
from portal.accounts.models import StakeholderGroup
from portal.countries import country_choices
from portal.forms import Form
from reviews.commitments import MAX_ACTION_LENGTH, MAX_REPORT_LENGTH, is_web_address
from reviews.models import CommitmentProgress

#: The organisation choice that lets the review's team type one.
ANOTHER = "another"


class CommitmentForm(Form):
    recommendation = SelectField(_l("Recommendation"), validators=[InputRequired()])
    organisation = SelectField(_l("For the organisation"), validators=[InputRequired()])
    other_organisation = StringField(
        _l("Another organisation's name"), validators=[Length(max=200)],
        description=_l("Only when committing for an organisation not in the list."))
    stakeholder_group = SelectField(_l("Its stakeholder group"),
                                    choices=enum_choices(StakeholderGroup),
                                    default=StakeholderGroup.member_state.value)
    country = SelectField(_l("Its country"), validators=[Optional()])
    action = TextAreaField(_l("What the organisation will do"),
                           validators=[InputRequired(), Length(max=MAX_ACTION_LENGTH)])
    due_on = DateField(_l("By when"), validators=[Optional()])
    location = StringField(_l("Where"), validators=[Length(max=200)],
                           description=_l("A country, a region, a city or a border area."))

    def __init__(self, *args, targets=(), organisations=(), may_type=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_type = may_type
        self.recommendation.choices = [
            SelectChoice(target.key, f"{target.reference} · {target.title}")
            for target in targets]
        self.organisation.choices = [SelectChoice(item.name, item.name)
                                     for item in organisations]
        if may_type:
            self.organisation.choices.append(SelectChoice(ANOTHER, _l("Another organisation")))
        self.country.choices = [SelectChoice("", _l("No country"))] + country_choices()

    def validate_other_organisation(self, field):
        if self.organisation.data == ANOTHER and not (field.data or "").strip():
            raise ValidationError(_l("Type the organisation's name."))


class ProgressForm(Form):
    progress = RadioField(_l("Progress"), choices=enum_choices(CommitmentProgress),
                          validators=[InputRequired()])
    text = TextAreaField(_l("What was done"), validators=[Length(max=MAX_REPORT_LENGTH)])
    link = StringField(_l("Link"), validators=[Length(max=500)],
                       description=_l("Optional: a page that shows it (http:// or https://)."))

    def validate_link(self, field):
        if field.data and not is_web_address(field.data.strip()):
            raise ValidationError(_l("A link starts with http:// or https://."))
