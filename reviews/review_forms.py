"""Forms of a review, its team and its consultations. They validate what was typed; they never
write."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, EmailField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from consultations.forms import CheckboxesField, enum_choices
from consultations.gcm import OBJECTIVES
from consultations.models import Region
from portal.forms import Form


class ReviewForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    region = SelectField(_l("Region"), choices=enum_choices(Region))
    gcm_objectives = CheckboxesField(_l("GCM objectives"), coerce=int)
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    is_public = BooleanField(
        _l("Public"), default=True,
        description=_l("Anyone may read a public review, its synthesis and its commitments, "
                       "through the API too. A private one is read by its team and those who "
                       "run its consultations."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gcm_objectives.choices = [
            SelectChoice(number, _l("%(number)d. %(title)s", number=number, title=title))
            for number, title in OBJECTIVES.items()]

    def validate_gcm_objectives(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one GCM objective."))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The review cannot end before it starts."))

    def fields(self) -> dict:
        return {"title": self.title.data.strip(), "region": Region(self.region.data),
                "gcm_objectives": self.gcm_objectives.data, "starts_on": self.starts_on.data,
                "ends_on": self.ends_on.data, "description": (self.description.data or "").strip(),
                "is_public": self.is_public.data}


def review_form_data(review) -> dict:
    return {"title": review.title, "region": review.region.value,
            "gcm_objectives": list(review.gcm_objectives), "starts_on": review.starts_on,
            "ends_on": review.ends_on, "description": review.description,
            "is_public": review.is_public}


class TeamMemberForm(Form):
    email = EmailField(_l("E-mail address"), validators=[InputRequired(), Email(),
                                                         Length(max=254)])


class AttachForm(Form):
    review = SelectField(_l("Review"), coerce=int, validators=[InputRequired()])

    def __init__(self, *args, reviews=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.review.choices = [SelectChoice(review.id, review.title) for review in reviews]


class ReminderDateForm(Form):
    progress_reports_due_on = DateField(
        _l("Progress reports due on"), validators=[Optional()],
        description=_l("Organisations are asked to report progress on their commitments "
                       "before this day."))
