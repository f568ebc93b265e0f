"""Forms of the consultations area. They validate what was typed; they never write."""

from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from consultations.gcm import OBJECTIVES
from consultations.models import (
    AdoptionRule,
    AgendaItemKind,
    ApprovalRule,
    Attendance,
    AttributionRule,
    Consultation,
    Mode,
    QuestionKind,
    Region,
    RegistrationQuestion,
    RegistrationStatus,
    Role,
)
from consultations.models.consultation import (
    DEFAULT_SMALL_GROUP_THRESHOLD,
    MIN_SMALL_GROUP_THRESHOLD,
)
from consultations.models.discussion import MAX_COMMENT_LENGTH
from portal.config import LOCALES
from portal.forms import Form
from portal.i18n import LANGUAGE_NAMES

LOCAL_TIME_FORMAT = "%Y-%m-%dT%H:%M"


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes (rendered in a fieldset by the forms macro)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


@cache
def _time_zones() -> tuple[str, ...]:
    return tuple(sorted(zone for zone in available_timezones() if "/" in zone or zone == "UTC"))


def enum_choices(enum_class) -> list[SelectChoice]:
    """The members as choices, labelled when the form is shown, in the reader's language."""
    return [SelectChoice(member.value, LazyString(getattr, member, "label"))
            for member in enum_class]


def language_choices(codes=LOCALES) -> list[SelectChoice]:
    return [SelectChoice(code, LANGUAGE_NAMES[code], {"lang": code}) for code in codes]


def to_utc(local: datetime | None, time_zone: str) -> datetime | None:
    """A wall-clock time typed for the consultation's time zone, as a point in time."""
    if local is None:
        return None
    return local.replace(tzinfo=ZoneInfo(time_zone)).astimezone(ZoneInfo("UTC"))


def to_local(moment: datetime | None, time_zone: str) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(time_zone)).replace(tzinfo=None)


def text(field) -> str:
    """A text field's value without surrounding space; empty when it was not sent."""
    return (field.data or "").strip()


def _meeting_link(form, field):
    from consultations.meeting_links import meeting_link_problem

    field.data = (field.data or "").strip()
    problem = meeting_link_problem(field.data)
    if problem:
        raise ValidationError(problem)


def _valid_zone(form, field):
    if field.data not in _time_zones():
        raise ValidationError(_l("Choose a time zone from the list."))


class ConsultationForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    slug = StringField(
        _l("Web address"),
        validators=[Optional(), Length(min=3, max=80), Regexp(
            r"^[a-z0-9]+(-[a-z0-9]+)*$",
            message=_l("Use lower-case letters, digits and hyphens, e.g. red-talks-dakar-2024."),
        )],
        description=_l("The end of the consultation's address. Left empty, it is made from the "
                       "title."),
    )
    summary = TextAreaField(
        _l("Summary"), validators=[Length(max=500)],
        description=_l("One or two sentences shown in the list of consultations."),
    )
    description = TextAreaField(_l("Description"), validators=[Length(max=20_000)])
    region = SelectField(_l("Region"), choices=enum_choices(Region))
    gcm_objectives = CheckboxesField(
        _l("Objectives of the Global Compact for Migration it serves"),
        coerce=int,
        validators=[InputRequired(message=_l("Choose at least one objective."))],
    )
    organisers = StringField(_l("Organisers"), validators=[Length(max=500)])
    venue = StringField(_l("Venue"), validators=[Length(max=300)],
                        description=_l("City and place; leave empty for an online consultation."))
    mode = RadioField(_l("Mode"), choices=enum_choices(Mode), default=Mode.in_person.value)
    meeting_link = URLField(
        _l("Meeting link"), validators=[_meeting_link],
        description=_l("Online and hybrid: the video meeting's https address (any service). "
                       "Only approved participants taking part online are given it, on the "
                       "consultation's page, in their approval e-mail and in their calendar."))
    time_zone = SelectField(_l("Time zone"), validators=[_valid_zone], default="UTC",
                            description=_l("Dates and times below are in this time zone."))
    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_TIME_FORMAT,
                                   validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL_TIME_FORMAT,
                                 validators=[InputRequired()])
    working_languages = CheckboxesField(
        _l("Working languages"),
        choices=language_choices(),
        validators=[InputRequired(message=_l("Choose at least one language."))],
        description=_l("The first in this list is the consultation's main language."),
    )
    capacity = IntegerField(
        _l("Places for participants"), validators=[Optional(), NumberRange(min=1, max=100_000)],
        description=_l("Leave empty for no limit. When full, new registrations join a "
                       "waitlist; places added later go to the waitlist in order."),
    )
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"), format=LOCAL_TIME_FORMAT, validators=[Optional()])
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes"), format=LOCAL_TIME_FORMAT, validators=[Optional()])
    approval_rule = RadioField(_l("Approval of registrations"), choices=enum_choices(ApprovalRule),
                               default=ApprovalRule.facilitator.value)
    invitation_only = BooleanField(_l("By invitation only: only invited addresses can register"))
    registration_open_while_live = BooleanField(
        _l("Keep registration open while live"),
        description=_l("Late and on-site registrations: people can still register while the "
                       "consultation is live, whatever the closing date above."))
    attribution_rule = RadioField(_l("Attribution"), choices=enum_choices(AttributionRule),
                                  default=AttributionRule.attributed.value)
    adoption_rule = RadioField(_l("Adoption of recommendations"),
                               choices=enum_choices(AdoptionRule),
                               default=AdoptionRule.consensus.value)
    quorum = IntegerField(
        _l("Quorum (votes cast)"),
        validators=[Optional(), NumberRange(min=1, max=100_000,
                                            message=_l("Give a whole number from %(min)d to "
                                                       "%(max)d.", min=1, max=100_000))],
        description=_l("The votes a vote needs to count, abstentions and show of hands "
                       "included. Leave empty for a majority of the voting participants "
                       "present. A facilitator may set another quorum when opening a vote."))
    small_group_threshold = IntegerField(
        _l("Smallest group shown on its own under the Chatham House Rule"),
        validators=[InputRequired(message=_l("Give the smallest group, e.g. 3.")),
                    NumberRange(min=MIN_SMALL_GROUP_THRESHOLD, max=1000,
                                message=_l("Give a whole number from %(min)d to %(max)d.",
                                           min=MIN_SMALL_GROUP_THRESHOLD, max=1000))],
        default=DEFAULT_SMALL_GROUP_THRESHOLD,
        description=_l("Under the Chatham House Rule, results and the outcome document never "
                       "show a stakeholder group, region or country with fewer voters or "
                       "participants than this on its own: they are counted together under "
                       "other groups, or not shown at all."),
    )
    consent_text = TextAreaField(
        _l("Consent to the processing of personal data"),
        validators=[InputRequired(), Length(max=5000)],
        description=_l("Shown on the registration form; every participant must agree to it."),
    )
    breakout_threads_open = BooleanField(
        _l("Every participant may read and write in every breakout group's threads"))
    personal_data_kept_until = DateField(
        _l("Participants' personal data kept until"), validators=[Optional()],
        description=_l("After this day, in the consultation's time zone, the participants' "
                       "names, e-mail addresses, organisations and answers are removed; their "
                       "comments, votes and the figures stay. Leave empty to keep them."),
    )

    def __init__(self, *args, consultation: Consultation | None = None, **kwargs):
        if consultation is not None and not kwargs.get("formdata"):
            kwargs.setdefault("data", consultation_form_data(consultation))
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        self.gcm_objectives.choices = [
            SelectChoice(number, _l("%(number)d. %(title)s", number=number, title=title))
            for number, title in OBJECTIVES.items()
        ]
        self.time_zone.choices = list(_time_zones())
        if consultation is not None:
            del self.slug

    def validate_working_languages(self, field):
        if any(code not in LOCALES for code in field.data or []):
            raise ValidationError(_l("Choose languages from the list."))

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data < self.starts_at.data:
            raise ValidationError(_l("The end must come after the start."))

    def validate_registration_closes_at(self, field):
        opens = self.registration_opens_at.data
        if opens and field.data and field.data <= opens:
            raise ValidationError(_l("Registration must close after it opens."))
        if field.data and self.ends_at.data and field.data > self.ends_at.data:
            raise ValidationError(_l("Registration must close before the consultation ends."))

    def validate_personal_data_kept_until(self, field):
        if field.data and self.ends_at.data and field.data < self.ends_at.data.date():
            raise ValidationError(_l("Keep the personal data at least until the consultation "
                                     "ends."))

    def consultation_fields(self) -> dict:
        zone = self.time_zone.data
        return {
            "title": text(self.title),
            "summary": text(self.summary),
            "description": text(self.description),
            "region": Region(self.region.data),
            "gcm_objectives": self.gcm_objectives.data,
            "organisers": text(self.organisers),
            "venue": text(self.venue),
            "mode": Mode(self.mode.data),
            "meeting_link": self.meeting_link.data,
            "time_zone": zone,
            "starts_at": to_utc(self.starts_at.data, zone),
            "ends_at": to_utc(self.ends_at.data, zone),
            "working_languages": list(self.working_languages.data),
            "capacity": self.capacity.data,
            "registration_opens_at": to_utc(self.registration_opens_at.data, zone),
            "registration_closes_at": to_utc(self.registration_closes_at.data, zone),
            "approval_rule": ApprovalRule(self.approval_rule.data),
            "invitation_only": self.invitation_only.data,
            "registration_open_while_live": self.registration_open_while_live.data,
            "attribution_rule": AttributionRule(self.attribution_rule.data),
            "adoption_rule": AdoptionRule(self.adoption_rule.data),
            "small_group_threshold": self.small_group_threshold.data,
            "quorum": self.quorum.data,
            "consent_text": text(self.consent_text),
            "breakout_threads_open": self.breakout_threads_open.data,
            "personal_data_kept_until": self.personal_data_kept_until.data,
        }


def consultation_form_data(consultation: Consultation) -> dict:
    zone = consultation.time_zone
    data = {
        name: getattr(consultation, name)
        for name in ("title", "summary", "description", "organisers", "venue", "meeting_link",
                     "time_zone",
                     "capacity", "invitation_only", "registration_open_while_live",
                     "consent_text", "breakout_threads_open", "personal_data_kept_until",
                     "small_group_threshold", "quorum")
    }
    data.update(
        region=consultation.region.value,
        mode=consultation.mode.value,
        approval_rule=consultation.approval_rule.value,
        attribution_rule=consultation.attribution_rule.value,
        adoption_rule=consultation.adoption_rule.value,
        gcm_objectives=list(consultation.gcm_objectives),
        working_languages=list(consultation.working_languages),
        starts_at=to_local(consultation.starts_at, zone),
        ends_at=to_local(consultation.ends_at, zone),
        registration_opens_at=to_local(consultation.registration_opens_at, zone),
        registration_closes_at=to_local(consultation.registration_closes_at, zone),
    )
    return data


class AgendaItemForm(Form):
    kind = RadioField(_l("Kind"), choices=enum_choices(AgendaItemKind),
                      default=AgendaItemKind.plenary.value)
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_TIME_FORMAT,
                                   validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL_TIME_FORMAT,
                                 validators=[InputRequired()])
    allow_choices = BooleanField(
        _l("Breakout rounds: participants may choose their group before the assignment"))

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data < self.starts_at.data:
            raise ValidationError(_l("The end must come after the start."))

    def agenda_item_fields(self, time_zone: str) -> dict:
        return {
            "kind": AgendaItemKind(self.kind.data),
            "title": text(self.title),
            "description": text(self.description),
            "starts_at": to_utc(self.starts_at.data, time_zone),
            "ends_at": to_utc(self.ends_at.data, time_zone),
            "allow_choices": self.allow_choices.data,
        }


class BreakoutGroupForm(Form):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    theme = StringField(_l("Theme"), validators=[Length(max=300)])
    room = StringField(_l("Room"), validators=[Length(max=120)],
                       description=_l("Where the group meets, e.g. “Room 2, first floor”."))
    meeting_link = URLField(
        _l("Meeting link"), validators=[_meeting_link],
        description=_l("The group's own video meeting (an https address), for its members "
                       "taking part online. Leave empty and they join the consultation's."))
    guiding_questions = TextAreaField(
        _l("Guiding questions"), validators=[Length(max=5000)],
        description=_l("One question per line. Each question gets a discussion thread."),
    )
    capacity = IntegerField(_l("Places"), validators=[Optional(), NumberRange(min=1, max=10_000)],
                            description=_l("Leave empty for no limit."))
    facilitator_email = EmailField(
        _l("Group facilitator's e-mail address"), validators=[Optional(), Email()],
        description=_l("Someone already registered in the consultation."))
    rapporteur_email = EmailField(
        _l("Rapporteur's e-mail address"), validators=[Optional(), Email()],
        description=_l("Someone already registered in the consultation."))
    language = SelectField(_l("Working language"))

    def __init__(self, *args, consultation: Consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice("", _l("Several languages"))] + language_choices(
            consultation.working_languages)

    def questions(self) -> list[str]:
        return [line.strip() for line in (self.guiding_questions.data or "").splitlines()
                if line.strip()]


class AppointmentForm(Form):
    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Email(message=_l("Enter an e-mail address like "
                                                      "name@example.org."))],
    )
    role = SelectField(_l("Role"), choices=enum_choices(Role), default=Role.facilitator.value)


class ConsultationWordingForm(Form):
    """The consultation's texts in another working language, and one set of fields per agenda
    item and per breakout group (added by ``wording_form``). Empty fields leave the original
    in place."""

    title = StringField(_l("Title"), validators=[Length(max=200)])
    summary = TextAreaField(_l("Summary"), validators=[Length(max=500)])
    description = TextAreaField(_l("Description"), validators=[Length(max=20_000)])
    venue = StringField(_l("Venue"), validators=[Length(max=300)])
    organisers = StringField(_l("Organisers"), validators=[Length(max=500)])

    def item_texts(self, items) -> dict:
        from consultations.wording import ItemText

        return {item.id: ItemText(title=self[f"item_{item.id}_title"].data or "",
                                  description=self[f"item_{item.id}_description"].data or "")
                for item in items}

    def group_texts(self, groups) -> dict:
        from consultations.wording import GroupText

        return {group.id: GroupText(
            name=self[f"group_{group.id}_name"].data or "",
            theme=self[f"group_{group.id}_theme"].data or "",
            questions=tuple(line.strip() for line in
                            (self[f"group_{group.id}_questions"].data or "").splitlines()))
            for group in groups}


def wording_form(items, groups, **kwargs) -> ConsultationWordingForm:
    """The form with a title and description field for each agenda item, and a name, theme
    and guiding questions field for each breakout group."""
    fields = {}
    for item in items:
        fields[f"item_{item.id}_title"] = StringField(_l("Title"), validators=[Length(max=200)])
        fields[f"item_{item.id}_description"] = TextAreaField(
            _l("Description"), validators=[Length(max=5000)])
    for group in groups:
        fields[f"group_{group.id}_name"] = StringField(_l("Name"), validators=[Length(max=120)])
        fields[f"group_{group.id}_theme"] = StringField(_l("Theme"),
                                                         validators=[Length(max=300)])
        fields[f"group_{group.id}_questions"] = TextAreaField(
            _l("Guiding questions"), validators=[Length(max=5000)],
            description=_l("One per line, in the order of the original questions."))
    form_class = type("ConsultationGroupsWordingForm", (ConsultationWordingForm,), fields)
    return form_class(**kwargs)


class StatusForm(Form):
    """Moves the consultation on in its lifecycle; the status comes from the button."""


# Registration ---------------------------------------------------------------------------------


class RegistrationDetails:
    """What a registration asks beyond the profile."""

    attendance = RadioField(_l("I will take part"), choices=enum_choices(Attendance),
                            default=Attendance.in_person.value)
    languages = CheckboxesField(
        _l("Languages I can work in"),
        validators=[InputRequired(message=_l("Choose at least one language."))],
        description=_l("Breakout groups are formed so that everyone can follow."),
    )
    interpretation_language = SelectField(_l("Interpretation I need"))
    accessibility_needs = TextAreaField(
        _l("Accessibility needs"), validators=[Length(max=2000)],
        description=_l("For example step-free access, sign language, captions, large print."),
    )
    notes = TextAreaField(_l("Dietary or access notes"), validators=[Length(max=2000)])
    consent = BooleanField(
        _l("I agree to the processing of my personal data as described above."),
        validators=[InputRequired(message=_l("Registration needs your consent."))],
    )
    listed_in_outcome = BooleanField(
        _l("List my name in the outcome document's list of participants"),
        description=_l("Optional: the list gives each name with its organisation, "
                       "stakeholder group and country. You can change your mind later on the "
                       "page of your registration."),
    )

    def set_registration_choices(self, consultation: Consultation) -> None:
        modes = {Mode.in_person: [Attendance.in_person], Mode.online: [Attendance.online],
                 Mode.hybrid: [Attendance.in_person, Attendance.online]}[consultation.mode]
        self.attendance.choices = [SelectChoice(item.value, item.label) for item in modes]
        if self.attendance.data not in {item.value for item in modes}:
            self.attendance.data = modes[0].value
        self.languages.choices = language_choices(consultation.working_languages)
        self.interpretation_language.choices = [
            SelectChoice("", _l("None"))] + language_choices(consultation.working_languages)

    def answers(self, questions) -> dict:
        return {question.id: self[f"question_{question.id}"].data for question in questions}


def _options_only(options: list[str]):
    def check(form, field):
        values = field.data if isinstance(field.data, list) else [field.data]
        if any(value not in options for value in values if value):
            raise ValidationError(_l("Choose from the list."))

    return check


def question_field(question: RegistrationQuestion):
    presence = [InputRequired(message=_l("Please answer this question."))] if (
        question.required) else [Optional()]
    choices = [SelectChoice(option, option) for option in question.options]
    if question.kind == QuestionKind.short_text:
        return StringField(question.prompt, validators=[*presence, Length(max=500)])
    if question.kind == QuestionKind.long_text:
        return TextAreaField(question.prompt, validators=[*presence, Length(max=5000)])
    if question.kind == QuestionKind.single_choice:
        return RadioField(question.prompt, choices=choices, validate_choice=False,
                          validators=[*presence, _options_only(question.options)])
    return CheckboxesField(question.prompt, choices=choices, validate_choice=False,
                           validators=[*presence, _options_only(question.options)])


def registration_form(consultation: Consultation, questions, *, with_account: bool, **kwargs):
    """The registration form for this consultation; with account fields for a visitor."""
    from portal.accounts.forms import ProfileForm, SignUpForm

    base = SignUpForm if with_account else ProfileForm
    fields = {f"question_{question.id}": question_field(question) for question in questions}
    form_class = type("ConsultationRegistrationForm", (RegistrationDetails, base), fields)
    form = form_class(**kwargs)
    form.set_registration_choices(consultation)
    return form


class WalkInForm(Form):
    """Someone who arrives at the check-in desk without a registration."""

    email = EmailField(
        _l("E-mail address"),
        validators=[InputRequired(), Email(message=_l("Enter an e-mail address like "
                                                      "name@example.org.")), Length(max=254)],
        description=_l("The sign-in link goes there. An address with an account already is "
                       "registered with that account."))
    consent = BooleanField(
        _l("The person agrees to the processing of their personal data as described in the "
           "consultation's consent text."),
        validators=[InputRequired(message=_l("Registration needs the person's consent."))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_profile_choices()


def walk_in_form(**kwargs) -> WalkInForm:
    from portal.accounts.forms import ProfileFieldsMixin

    form_class = type("WalkInDeskForm", (ProfileFieldsMixin, WalkInForm), {})
    return form_class(**kwargs)


class DecisionForm(Form):
    """A facilitator's decision on one or many registrations."""

    decision = SelectField(_l("Decision"), choices=[
        SelectChoice(RegistrationStatus.approved.value, _l("Approve")),
        SelectChoice(RegistrationStatus.waitlisted.value, _l("Put on the waitlist")),
        SelectChoice(RegistrationStatus.declined.value, _l("Decline")),
    ])
    message = TextAreaField(
        _l("Message to the participants (optional)"), validators=[Length(max=2000)],
        description=_l("Added to the e-mail that tells them the decision."))


class InviteeImportForm(Form):
    invitees = TextAreaField(
        _l("Invitees, as CSV"), validators=[InputRequired(), Length(max=2_000_000)],
        description=_l("One line per person after a header line with the columns email, name, "
                       "organisation, stakeholder_group, country."),
    )


class QuestionForm(Form):
    prompt = StringField(_l("Question"), validators=[InputRequired(), Length(max=300)])
    kind = SelectField(_l("Kind of answer"), choices=enum_choices(QuestionKind))
    options = TextAreaField(_l("Choices, one per line"), validators=[Length(max=5000)],
                            description=_l("For questions with a list of choices."))
    required = BooleanField(_l("An answer is required"))

    def option_list(self) -> list[str]:
        return [line.strip() for line in (self.options.data or "").splitlines() if line.strip()]

    def validate_options(self, field):
        if self.kind.data not in {kind.value for kind in QuestionKind}:
            return  # the kind's own check says what is wrong
        if QuestionKind(self.kind.data).has_options and len(self.option_list()) < 2:
            raise ValidationError(_l("Give at least two choices."))


# Discussion -----------------------------------------------------------------------------------


class CommentForm(Form):
    body = TextAreaField(
        _l("Your comment"),
        validators=[InputRequired(message=_l("Write something first.")),
                    Length(max=MAX_COMMENT_LENGTH)],
        description=_l("**bold**, *italic*, lists with -, quotes with >, links with "
                       "https://"),
    )
    parent = IntegerField(validators=[Optional()])


class ReasonForm(Form):
    reason = StringField(_l("Reason"), validators=[InputRequired(
        message=_l("Give a reason.")), Length(max=500)])


class ThreadForm(Form):
    title = StringField(_l("New thread"), validators=[InputRequired(), Length(max=500)])
