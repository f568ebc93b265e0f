"""A consultation's outcome in one language, as plain data.

``outcome_of(consultation, locale)`` gathers everything the outcome document says, already in
the document's language: the portal's own words (headings, labels, sentences) through gettext
under that locale; the consultation's texts from what people wrote in that language, or from
a reviewed translation into it. Whatever has no text in that language is never replaced by
another language: it becomes a gap, listed in ``gaps`` and marked as missing where it would
stand. Its parts are data classes (parts.py); ``parts.as_data`` turns the outcome into dicts
and lists (JSON), from which the Word document, its HTML view, the CSV and workbook
(exports.py) and the archive's JSON file are all made. The portal's own words and the names to
translate are in words.py, the written parts that may be out of date in staleness.py.

Names and references set inside a sentence of another language (an English title inside an
Arabic "not available" note, say) are isolated for the bidirectional algorithm (``isolated``),
so that the sentence's brackets and quotation marks stay where its own direction puts them.
"""

from dataclasses import asdict
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from consultations import breakouts, wording
from consultations.gcm import OBJECTIVES
from consultations.geography import sub_region_label
from consultations.models import (
    Attendance,
    AttributionRule,
    BreakoutGroup,
    Comment,
    Consultation,
    Mode,
    Registration,
    RegistrationStatus,
    Thread,
)
from consultations.registrations import participation_figures
from portal import permissions
from portal.accounts.models import STAKEHOLDER_GROUP_LABELS, StakeholderGroup, User
from portal.countries import country_name
from portal.extensions import db
from portal.i18n import RIGHT_TO_LEFT, language_name
from recommendations import breakdown, drafting
from recommendations.models import (
    Amendment,
    AmendmentStatus,
    Recommendation,
    RecommendationStatus,
    TranslationStatus,
    VersionTranslation,
    VoteChoice,
    VoteRound,
)
from recommendations.outcome import staleness
from recommendations.outcome.chart import colour_of
from recommendations.outcome.models import (
    BreakoutSummary,
    Distribution,
    OutcomeCover,
)
from recommendations.outcome.parts import (
    AgendaEntry,
    AmendmentEntry,
    BreakoutEntry,
    ChoiceCount,
    Cover,
    Fact,
    Figure,
    Gap,
    ObjectiveEntry,
    Outcome,
    ParticipantEntry,
    Participation,
    Passage,
    RecommendationEntry,
    Reservation,
    Result,
    StalePart,
    Theme,
)
from recommendations.outcome.prose import isolated
from recommendations.outcome.words import document_labels, outcome_text_of, untranslated_labels
from recommendations.results import results_of
from recommendations.turnout import (
    reason_phrase,
    rule_phrase,
    rule_statement,
    turnout_phrase,
    turnout_statement,
)

#: The language (and country) set on the document's text, for spelling and grammar checks.
LANGUAGE_TAGS = {"en": "en-GB", "fr": "fr-FR", "es": "es-ES", "ar": "ar-SA", "pt": "pt-PT"}

#: The conventions dates and times are written in, by the document's language.
DATE_LOCALES = {"en": "en_GB", "fr": "fr_FR", "es": "es_ES", "ar": "ar", "pt": "pt_PT"}



# Assembling ----------------------------------------------------------------------------------

class _Assembler:
    """Builds the outcome of one consultation in one language (gettext's locale is set to it
    by ``outcome_of``), noting every gap on the way."""

    def __init__(self, consultation: Consultation, locale: str):
        self.consultation = consultation
        self.locale = locale
        self.main = drafting.main_language(consultation)
        self.zone = ZoneInfo(consultation.time_zone or "UTC")
        self.dates = DATE_LOCALES.get(locale, locale)
        self.gaps: list[Gap] = []
        self.written = outcome_text_of(consultation, locale)
        written = self.written.names if self.written else {}
        # The names given with the consultation's texts win over those written for the
        # document alone: they are what the pages show, and the document agrees with them.
        self.names = {original: name for original, name in (written or {}).items()
                      if (name or "").strip()} | wording.names_in(consultation, locale)
        self.language = language_name(locale, in_language=locale)
        self.resolved: dict[tuple[str, str], Passage] = {}
        #: The organisers' names in the document's language (set with the cover).
        self.organisers = Passage()
        #: The breakout groups with a summary in this language (set with the breakouts).
        self.summaries: list[tuple[BreakoutGroup, BreakoutSummary]] = []

    # Small pieces -------------------------------------------------------------------------

    def missing(self, what: str) -> str:
        return _("[Not available in %(language)s: %(what)s]", language=self.language,
                 what=what)

    def date_range(self, start: datetime, end: datetime) -> str:
        """The consultation's days, months written out: "23–24 April 2024"."""
        start, end = start.astimezone(self.zone), end.astimezone(self.zone)
        if start.date() == end.date():
            return self.date(start)
        if (start.year, start.month) == (end.year, end.month):
            # Every language of the portal writes its long dates day first.
            return f"{format_date(start, 'd', locale=self.dates)}–{self.date(end)}"
        return f"{self.date(start)} – {self.date(end)}"

    def name(self, original: str, written_in: str | None = None) -> Passage:
        """One of the consultation's names in the document's language."""
        original = (original or "").strip()
        written_in = written_in or self.main
        if not original or written_in == self.locale:
            return Passage(original)
        key = (original, written_in)
        if key not in self.resolved:
            translated = (self.names.get(original) or "").strip()
            if translated:
                self.resolved[key] = Passage(translated)
            else:
                self.gaps.append(Gap("name", original))
                self.resolved[key] = Passage(missing=self.missing(
                    _("the name “%(name)s”", name=isolated(original))))
        return Passage(**asdict(self.resolved[key]))

    def date(self, moment: datetime, style: str = "long") -> str:
        return format_date(moment.astimezone(self.zone), style, locale=self.dates)

    def time(self, moment: datetime) -> str:
        return format_time(moment, "short", tzinfo=self.zone, locale=self.dates)

    # Sections -----------------------------------------------------------------------------

    def cover(self, number: int | None, generated_at: datetime) -> Cover:
        consultation = self.consultation
        dates = self.date_range(consultation.starts_at, consultation.ends_at)
        venue = self.name(consultation.venue)
        if consultation.mode == Mode.online:
            place = Passage(_("Online"))
        elif venue.missing:
            place = venue
        elif not venue.text:
            place = Passage(consultation.mode.label)
        elif consultation.mode == Mode.hybrid:
            place = Passage(_("%(venue)s, and online", venue=venue.text))
        else:
            place = venue
        facts = [Fact(_("Dates"), Passage(dates)), Fact(_("Place"), place)]
        self.organisers = self.name(consultation.organisers)
        if consultation.organisers:
            facts.append(Fact(_("Organisers"), self.organisers))
        facts.append(Fact(_("Region"), Passage(consultation.region.label)))
        if number is None:
            version = _("Preview on %(date)s at %(time)s (%(zone)s): not a compiled version.",
                        date=self.date(generated_at), time=self.time(generated_at),
                        zone=consultation.time_zone)
        else:
            version = _("Version %(number)d, compiled on %(date)s at %(time)s (%(zone)s).",
                        number=number, date=self.date(generated_at),
                        time=self.time(generated_at), zone=consultation.time_zone)
        cover = db.session.scalar(select(OutcomeCover).where(
            OutcomeCover.consultation_id == consultation.id))
        distribution = {
            Distribution.general.value: _("Distr.: General"),
            Distribution.limited.value: _("Distr.: Limited"),
            Distribution.restricted.value: _("Distr.: Restricted"),
        }.get(cover.distribution if cover else "", "")
        return Cover(
            title=self.name(consultation.title), subtitle=_("Outcome document"), facts=facts,
            objectives=[_("Objective %(number)d: %(title)s", number=number,
                          title=OBJECTIVES[number])
                        for number in consultation.gcm_objectives],
            version=version, symbol=cover.symbol if cover else "", distribution=distribution,
            date=self.date(generated_at),
            original=_("Original: %(language)s", language=language_name(self.main)))

    def written_part(self, kind: str, what: str) -> Passage:
        text = getattr(self.written, kind, "") if self.written else ""
        if (text or "").strip():
            return Passage(text.strip())
        self.gaps.append(Gap(kind))
        return Passage(missing=self.missing(what))

    def participation(self) -> Participation:
        figures = participation_figures(self.consultation, roles=permissions.VOTING_ROLES)
        total = sum(figures["by_group"].values())
        by_group = self.figures(
            {group: figures["by_group"].get(group, 0) for group in StakeholderGroup},
            lambda group: str(STAKEHOLDER_GROUP_LABELS[group]),
            str(breakdown.GROUP_LABELS[breakdown.OTHER_GROUPS]))
        for row, figure in enumerate(by_group or []):
            figure.colour = colour_of(row)
        by_region = self.figures(dict(figures["by_region"]),
                                 lambda key: sub_region_label(key) or _("Other"),
                                 _("Other regions"))
        by_country = self.figures(dict(figures["by_country"]), country_name,
                                  _("Other countries"), largest_first=True)
        by_attendance = self.figures(
            {attendance: figures["by_attendance"].get(attendance, 0) for attendance in Attendance},
            lambda attendance: attendance.label, _("Other"))
        chart = "; ".join(f"{figure.label}: {figure.count}" for figure in by_group or [])
        threshold = breakdown.small_group_rule(self.consultation)
        return Participation(
            total=total,
            lead=ngettext("%(num)d participant took part (participants and rapporteurs whose "
                          "registration was approved).",
                          "%(num)d participants took part (participants and rapporteurs whose "
                          "registration was approved).", total),
            by_group=by_group, by_region=by_region, by_country=by_country,
            by_attendance=by_attendance,
            chart_description=_("Bar chart of the participants by stakeholder group. %(figures)s",
                                figures=chart) if by_group else "",
            activity=self.activity(),
            small_groups_note=ngettext(
                "Under the Chatham House Rule, no group of fewer than %(num)d participant is "
                "shown on its own: such groups are counted together under Other groups, Other "
                "regions or Other countries, and a breakdown is left out when even together "
                "they are fewer than %(num)d. Likewise, a reservation is quoted with its "
                "author's stakeholder group only when at least %(num)d of that group voted.",
                "Under the Chatham House Rule, no group of fewer than %(num)d participants is "
                "shown on its own: such groups are counted together under Other groups, Other "
                "regions or Other countries, and a breakdown is left out when even together "
                "they are fewer than %(num)d. Likewise, a reservation is quoted with its "
                "author's stakeholder group only when at least %(num)d of that group voted.",
                threshold) if threshold else "")

    def figures(self, sizes: dict, label_of, other: str, *,
                largest_first: bool = False) -> list[Figure] | None:
        """One participation breakdown under the small-group rule: its rows (in the order of
        ``sizes``, or largest first), then the groups counted together (labelled ``other``);
        None when it is left out."""
        shown = breakdown.figures_by(sizes, self.consultation)
        if shown is None:
            return None
        rows, together = shown
        figures = [Figure(label_of(key), count) for key, count in rows]
        if largest_first:
            figures.sort(key=lambda figure: (-figure.count, figure.label.casefold()))
        if together:
            figures.append(Figure(other, together))
        return figures

    def activity(self) -> list[str]:
        consultation_id = self.consultation.id
        comments = db.session.scalar(
            select(func.count()).select_from(Comment).join(Thread)
            .where(Thread.consultation_id == consultation_id, Comment.deleted_at.is_(None),
                   Comment.hidden_at.is_(None)))
        amendments = db.session.scalar(
            select(func.count()).select_from(Amendment).join(Recommendation)
            .where(Recommendation.consultation_id == consultation_id))
        rounds = db.session.scalar(
            select(func.count()).select_from(VoteRound)
            .where(VoteRound.consultation_id == consultation_id,
                   VoteRound.closed_at.is_not(None)))
        return [
            ngettext("%(num)d comment was posted in the discussion threads.",
                     "%(num)d comments were posted in the discussion threads.", comments),
            ngettext("%(num)d amendment was proposed.", "%(num)d amendments were proposed.",
                     amendments),
            ngettext("%(num)d vote was held in plenary.", "%(num)d votes were held in plenary.",
                     rounds),
        ]

    def recommendation(self, recommendation: Recommendation, rounds: list[dict],
                       translations: dict[tuple[int, str], VersionTranslation]
                       ) -> RecommendationEntry:
        version = recommendation.current_version
        reference = recommendation.reference
        translated = version.locale != self.locale
        if not translated:
            title, text = Passage(recommendation.title), Passage(version.text)
        else:
            translation = translations.get((version.id, self.locale))
            if translation is not None and translation.status == TranslationStatus.reviewed:
                title, text = Passage(translation.title), Passage(translation.text)
            else:
                self.gaps.append(Gap("translation", reference,
                                     recommendation_id=recommendation.id,
                                     draft=translation is not None))
                title = Passage(missing=self.missing(_("the title of %(reference)s",
                                                       reference=isolated(reference))))
                text = Passage(missing=self.missing(_("the text of %(reference)s, version "
                                                      "%(number)d", reference=isolated(reference),
                                                      number=version.number)))
        if recommendation.status == RecommendationStatus.draft:
            self.gaps.append(Gap("result", reference, recommendation_id=recommendation.id))
        objectives = list(recommendation.gcm_objectives)
        return RecommendationEntry(
            id=recommendation.id, reference=reference, status=recommendation.status.value,
            title=title, text=text, version=version.number, translated=translated,
            objectives=objectives,
            objectives_line=_("GCM objectives: %(numbers)s",
                              numbers=", ".join(str(number) for number in objectives))
            if objectives else "",
            result=self.result(rounds))

    def result(self, rounds: list[dict]) -> Result | None:
        deciding = [item for item in rounds if item["round"].amendment_id is None
                    and item["round"].closed_at is not None]
        if not deciding:
            return None
        item = deciding[-1]
        round_, tally = item["round"], item["tally"]
        date = self.date(round_.closed_at)
        turnout = turnout_phrase(tally)
        if round_.adopted:
            sentence = _("Adopted %(rule)s on %(date)s, in vote round %(round)d: %(turnout)s.",
                         rule=rule_phrase(round_.rule.value), date=date, round=round_.number,
                         turnout=turnout)
        else:
            sentence = _("Not adopted on %(date)s, in vote round %(round)d, %(reason)s: "
                         "%(turnout)s.", date=date, round=round_.number,
                         reason=reason_phrase(round_, tally), turnout=turnout)
        counts = [ChoiceCount(choice.value, choice.label, tally["counts"][choice.value],
                              tally["in_room"][choice.value],
                              tally["counts"][choice.value] + tally["in_room"][choice.value])
                  for choice in VoteChoice]
        return Result(round=round_.number, adopted=bool(round_.adopted), sentence=sentence,
                      counts=counts, turnout=turnout_statement(tally),
                      reservations=[Reservation(reservation["text"], str(reservation["by"]))
                                    for reservation in item["reservations"]],
                      rule=rule_statement(round_.rule.value, round_.stakeholder_rule))

    def recommendations(self) -> tuple[list[Theme], list[ObjectiveEntry],
                                       list[RecommendationEntry], list[RecommendationEntry]]:
        consultation = self.consultation
        current = [recommendation for recommendation in drafting.recommendations_of(consultation)
                   if recommendation.status != RecommendationStatus.merged]
        results = results_of(
            consultation, current,
            show_names=consultation.attribution_rule == AttributionRule.attributed)
        version_ids = [recommendation.current_version.id for recommendation in current]
        translations = {
            (translation.version_id, translation.locale): translation
            for translation in db.session.scalars(select(VersionTranslation).where(
                VersionTranslation.version_id.in_(version_ids),
                VersionTranslation.locale == self.locale))
        } if version_ids else {}
        themes: dict[str, Theme] = {}
        objectives: dict[int, list[str]] = {}
        not_adopted, undecided = [], []
        for item in results:
            recommendation = item["recommendation"]
            entry = self.recommendation(recommendation, item["rounds"], translations)
            if recommendation.status == RecommendationStatus.adopted:
                key = recommendation.theme.strip()
                if key not in themes:
                    heading = (self.name(key, recommendation.current_version.locale) if key
                               else Passage(_("Other recommendations")))
                    themes[key] = Theme(heading, [])
                themes[key].recommendations.append(entry)
                for number in entry.objectives:
                    objectives.setdefault(number, []).append(entry.reference)
            elif recommendation.status == RecommendationStatus.not_adopted:
                not_adopted.append(entry)
            else:
                undecided.append(entry)
        # Themes in the order of their first recommendation; the unthemed ones last.
        ordered = [theme for key, theme in themes.items() if key] + (
            [themes[""]] if "" in themes else [])
        by_objective = [ObjectiveEntry(number, str(OBJECTIVES[number]), references)
                        for number, references in sorted(objectives.items())]
        return ordered, by_objective, not_adopted, undecided

    def breakouts(self) -> list[BreakoutEntry]:
        groups = breakouts.groups_of(self.consultation)
        summaries = {
            summary.breakout_group_id: summary
            for summary in db.session.scalars(select(BreakoutSummary).where(
                BreakoutSummary.breakout_group_id.in_([group.id for group in groups]),
                BreakoutSummary.locale == self.locale))
        } if groups else {}
        self.summaries = [(group, summaries[group.id]) for group in groups
                          if group.id in summaries and summaries[group.id].text.strip()]
        entries = []
        for group in groups:
            summary = summaries.get(group.id)
            if summary is not None and summary.text.strip():
                text = Passage(summary.text.strip())
            else:
                self.gaps.append(Gap("breakout_summary", group.name, group_id=group.id))
                text = Passage(missing=self.missing(_("the summary of %(group)s",
                                                      group=isolated(group.name))))
            entries.append(BreakoutEntry(id=group.id, name=self.name(group.name),
                                         theme=self.name(group.theme), summary=text))
        return entries

    def stale_parts(self) -> list[StalePart]:
        """The written parts (executive summary, introduction, breakout summaries) naming a
        recommendation, by its reference or by its title in this language, whose state or
        result changed after the part was last edited."""
        parts = []
        if self.written is not None:
            for kind in ("executive_summary", "introduction"):
                text = getattr(self.written, kind) or ""
                if text.strip():
                    parts.append((kind, None, text, self.written.updated_at))
        for group, summary in self.summaries:
            parts.append(("breakout_summary", group, summary.text, summary.updated_at))
        return staleness.stale_parts(self.consultation, self.locale, parts)

    def agenda(self) -> list[AgendaEntry]:
        return [AgendaEntry(
            when=_("%(date)s, %(start)s–%(end)s", date=self.date(item.starts_at, "medium"),
                   start=self.time(item.starts_at), end=self.time(item.ends_at)),
            title=self.name(item.title), kind=item.kind.label)
            for item in self.consultation.agenda_items]

    def amendments(self) -> list[AmendmentEntry]:
        consultation = self.consultation
        amendments = db.session.scalars(
            select(Amendment).join(Recommendation)
            .where(Recommendation.consultation_id == consultation.id,
                   Amendment.status == AmendmentStatus.accepted)
            .options(selectinload(Amendment.supports), joinedload(Amendment.version),
                     joinedload(Amendment.resulting_version),
                     joinedload(Amendment.author_registration),
                     joinedload(Amendment.author), joinedload(Amendment.recommendation))
            .order_by(Recommendation.number, Amendment.id)).unique().all()
        rounds = dict(db.session.execute(
            select(VoteRound.amendment_id, VoteRound.number).where(
                VoteRound.consultation_id == consultation.id,
                VoteRound.amendment_id.is_not(None), VoteRound.adopted.is_(True))).all())
        attributed = consultation.attribution_rule == AttributionRule.attributed
        entries = []
        for amendment in amendments:
            registration = amendment.author_registration
            if attributed and amendment.author is not None:
                by = amendment.author.name + (f" ({registration.organisation})"
                                              if registration and registration.organisation
                                              else "")
            else:
                by = registration.stakeholder_group.label if registration else ""
            date = self.date(amendment.decided_at) if amendment.decided_at else ""
            decided = (_("By vote on %(date)s (round %(round)d)", date=date,
                         round=rounds[amendment.id]) if amendment.id in rounds
                       else _("By the drafting team on %(date)s", date=date))
            resulting = amendment.resulting_version
            entries.append(AmendmentEntry(
                reference=amendment.recommendation.reference, number=amendment.id,
                label=_("Amendment %(number)d to %(reference)s", number=amendment.id,
                        reference=amendment.recommendation.reference),
                versions=f"{amendment.version.number} → {resulting.number}" if resulting
                else str(amendment.version.number),
                decided=decided, proposed_by=by, supports=len(amendment.supports)))
        return entries

    def participants(self) -> tuple[list[ParticipantEntry] | None, str]:
        consultation = self.consultation
        if consultation.attribution_rule != AttributionRule.attributed:
            return None, _("The consultation was held under the Chatham House Rule: "
                           "participants are not named.")
        registrations = db.session.execute(
            select(Registration, User.name).join(User, User.id == Registration.user_id)
            .where(Registration.consultation_id == consultation.id,
                   Registration.status == RegistrationStatus.approved,
                   Registration.listed_in_outcome.is_(True))
            .order_by(func.lower(User.name), Registration.id)).all()
        entries = [ParticipantEntry(name, registration.organisation,
                                    registration.stakeholder_group.label,
                                    country_name(registration.country))
                   for registration, name in registrations]
        return entries, _("Only the participants who agreed to be named are listed.")

    def build(self, number: int | None, generated_at: datetime) -> Outcome:
        labels = document_labels()
        cover = self.cover(number, generated_at)
        executive_summary = self.written_part("executive_summary", _("the executive summary"))
        introduction = self.written_part("introduction", _("the introduction"))
        participation = self.participation()
        adopted, by_objective, not_adopted, undecided = self.recommendations()
        breakouts = self.breakouts()
        stale = self.stale_parts()
        agenda = self.agenda()
        amendments = self.amendments()
        participants, participants_note = self.participants()
        untranslated = untranslated_labels(self.locale)
        if untranslated:
            self.gaps.append(Gap("labels", count=untranslated))
        return Outcome(
            consultation=self.consultation.slug, locale=self.locale,
            language_tag=LANGUAGE_TAGS.get(self.locale, self.locale),
            right_to_left=self.locale in RIGHT_TO_LEFT, number=number,
            generated_at=generated_at.isoformat(), labels=labels,
            properties={
                "title": cover.title.text or labels["outcome_document"],
                "subject": labels["outcome_document"],
                "author": self.organisers.text,
                "keywords": ", ".join(["GCM"] + [
                    _("Objective %(number)d", number=number)
                    for number in self.consultation.gcm_objectives]),
                "category": self.consultation.region.label,
            },
            cover=cover, executive_summary=executive_summary, introduction=introduction,
            participation=participation, adopted=adopted, by_objective=by_objective,
            breakouts=breakouts, not_adopted=not_adopted, undecided=undecided, agenda=agenda,
            amendments=amendments, participants=participants,
            participants_note=participants_note, gaps=self.gaps, stale=stale)


def outcome_of(consultation: Consultation, locale: str, *, number: int | None = None,
               generated_at: datetime) -> Outcome:
    """The consultation's outcome in ``locale``, as it stands in the database now."""
    with force_locale(locale):
        return _Assembler(consultation, locale).build(number, generated_at)
