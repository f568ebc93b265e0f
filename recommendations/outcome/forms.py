"""Forms of outcome documents. They validate what was typed; they never write."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from consultations.forms import language_choices
from portal.config import LOCALES
from portal.forms import Form
from recommendations.drafting import MAX_TEXT_LENGTH
from recommendations.models import TranslationStatus
from recommendations.outcome.models import DISTRIBUTION_LABELS, Distribution
from recommendations.outcome.operations import (
    MAX_NAME_LENGTH,
    MAX_SYMBOL_LENGTH,
    MAX_WRITTEN_LENGTH,
)
from recommendations.translating import MAX_TITLE_LENGTH

WRITING_HELP = _l("Leave a blank line between paragraphs. Lines starting with “- ” make a "
                  "bulleted list, lines starting with “1.”, “2.”… a numbered one.")


def languages_for(consultation) -> list[str]:
    """Every language of the portal, the consultation's working languages first."""
    working = [code for code in consultation.working_languages or [] if code in LOCALES]
    return working + [code for code in LOCALES if code not in working]


class CompileForm(Form):
    locale = SelectField(_l("Language of the document"))

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.locale.choices = language_choices(languages_for(consultation))


class FinalForm(Form):
    missing_acknowledged = BooleanField(
        _l("I know that this version has items missing, and it is final all the same."))
    stale_acknowledged = BooleanField(
        _l("I have checked the written parts flagged above: they are right as they are, and "
           "the version is final."))


class CoverForm(Form):
    symbol = StringField(_l("Document symbol"), validators=[Length(max=MAX_SYMBOL_LENGTH)],
                         description=_l("As the organisers number their documents, for "
                                        "example IOM/RT/DAKAR/2024/1. Empty, the cover has "
                                        "none."))
    distribution = RadioField(_l("Distribution"), default="", choices=[
        SelectChoice("", _l("No distribution line")),
        *[SelectChoice(choice.value, DISTRIBUTION_LABELS[choice]) for choice in Distribution]],
        description=_l("Written on the cover in the document's language, as “Distr.: "
                       "General”."))


class OutcomeTextForm(Form):
    """The executive summary, the introduction, and one field per name to translate (added
    by ``outcome_text_form``)."""

    executive_summary = TextAreaField(_l("Executive summary"),
                                      validators=[Length(max=MAX_WRITTEN_LENGTH)],
                                      description=WRITING_HELP)
    introduction = TextAreaField(_l("Introduction"), validators=[Length(max=MAX_WRITTEN_LENGTH)],
                                 description=WRITING_HELP)

    def names(self, originals: list[str]) -> dict[str, str]:
        return {original: self[f"name_{number}"].data or ""
                for number, original in enumerate(originals)}


def outcome_text_form(originals: list[str], **kwargs) -> OutcomeTextForm:
    """The form with a field for each name in ``originals``, labelled with the original."""
    fields = {f"name_{number}": StringField(original, validators=[Length(max=MAX_NAME_LENGTH)])
              for number, original in enumerate(originals)}
    form_class = type("OutcomeTextNamesForm", (OutcomeTextForm,), fields)
    return form_class(**kwargs)


class BreakoutSummaryForm(Form):
    text = TextAreaField(_l("Summary"), validators=[Length(max=MAX_WRITTEN_LENGTH)],
                         description=_l("What the group discussed, what it agreed and where "
                                        "views differed; without names. Empty, the summary is "
                                        "removed."))


def _translation_status() -> RadioField:
    return RadioField(
        _l("Status"), default=TranslationStatus.draft.value,
        choices=[SelectChoice(status.value, status.label) for status in TranslationStatus],
        description=_l("Only a reviewed translation goes into the outcome document and is "
                       "shown to participants. Someone other than the translator marks it "
                       "reviewed."))


class TranslationForm(Form):
    title = StringField(_l("Title"), validators=[InputRequired(),
                                                 Length(max=MAX_TITLE_LENGTH)])
    text = TextAreaField(_l("Text"), validators=[InputRequired(), Length(max=MAX_TEXT_LENGTH)])
    status = _translation_status()


class AmendmentTranslationForm(Form):
    text = TextAreaField(_l("Proposed text"),
                         validators=[InputRequired(), Length(max=MAX_TEXT_LENGTH)])
    rationale = TextAreaField(_l("Why the amendment is proposed"),
                              validators=[Length(max=MAX_TEXT_LENGTH)])
    status = _translation_status()


class ListingForm(Form):
    listed = BooleanField(
        _l("List my name in the outcome document's list of participants"),
        description=_l("Only where the consultation names its participants: never under the "
                       "Chatham House Rule."))
