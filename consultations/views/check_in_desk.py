"""The check-in desk's badges and attendance list (PDF), and checking people in by the QR
code of their badge: scanned on the check-in page, typed or read by a hand scanner into its
box, or opened by a phone's own camera app."""

import io
from datetime import date

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations import badges
from consultations.badge_sheets import AttendanceSheet, Badge, attendance_docx, badges_docx
from consultations.forms import StatusForm
from consultations.models import Attendance, Registration, RegistrationStatus
from consultations.templating import consultation_wording
from consultations.views import blueprint
from portal import pdf, permissions
from portal.countries import country_name
from portal.extensions import db
from portal.i18n import RIGHT_TO_LEFT
from portal.page_access import load_consultation, load_within, require

PDF = "application/pdf"


def _desk(slug):
    consultation = load_consultation(slug)
    require(permissions.may_check_in(current_user, consultation))
    return consultation


def _paper(consultation) -> badges.Paper:
    try:
        return badges.Paper(request.args.get("paper", ""))
    except ValueError:
        return badges.default_paper(consultation)


def _locale() -> str:
    return str(get_locale() or "en")


def _as_pdf(docx: bytes, filename: str, slug: str):
    # Everything is read: the transaction ends before LibreOffice takes its seconds.
    db.session.rollback()
    try:
        made = pdf.pdf_of(docx)
    except pdf.PdfUnavailable as unavailable:
        flash(unavailable.reason, "error")
        return redirect(url_for("consultations.check_in", slug=slug))
    return send_file(io.BytesIO(made), mimetype=PDF, as_attachment=True,
                     download_name=filename, max_age=0)


def _badge_address(slug: str, registration: Registration) -> str:
    return url_for("consultations.badge", slug=slug, code=badges.badge_code(registration),
                   _external=True)


@blueprint.get("/c/<slug>/check-in/badges.pdf")
@login_required
def badges_pdf(slug):
    """Everyone approved who attends in person; or one person (``person``: a registration)."""
    consultation = _desk(slug)
    paper = _paper(consultation)
    person = request.args.get("person", "")
    if person:
        registration = load_within(consultation, Registration,
                                   int(person) if person.isdigit() else None)
        if registration.status != RegistrationStatus.approved:
            flash(_("The registration of %(name)s is not approved: there is no badge to "
                    "print.", name=registration.user.name), "error")
            return redirect(url_for("consultations.check_in", slug=slug))
        people = [registration]
    else:
        people = badges.approved_people(consultation, attendance=Attendance.in_person)
    if not people:
        flash(_("Nobody approved attends in person yet: there is no badge to print."), "info")
        return redirect(url_for("consultations.check_in", slug=slug))
    title = consultation_wording(consultation).title
    sheet = [Badge(name=registration.user.name, organisation=registration.organisation,
                   stakeholder_group=registration.stakeholder_group.label, consultation=title,
                   address=_badge_address(slug, registration)) for registration in people]
    docx = badges_docx(sheet, paper, language=_locale())
    name = f"badge-{people[0].id}" if person else "badges"
    return _as_pdf(docx, f"{consultation.slug}-{name}-{paper.value}.pdf", slug)


@blueprint.get("/c/<slug>/check-in/attendance.pdf")
@login_required
def attendance_pdf(slug):
    """The list of everyone approved, to sign on the day."""
    consultation = _desk(slug)
    paper = _paper(consultation)
    wording = consultation_wording(consultation)
    people = badges.approved_people(consultation)
    starts, ends = (consultation.starts_at.date(), consultation.ends_at.date())
    details = [_dates(starts, ends)]
    if wording.venue:
        details.append(wording.venue)
    sheet = AttendanceSheet(
        title=_("Attendance list"), consultation=wording.title, details=" · ".join(details),
        headings=[_("No."), _("Name"), _("Organisation"), _("Stakeholder group"), _("Country"),
                  _("Attends"), _("Signature")],
        rows=[[str(number), registration.user.name, registration.organisation,
               registration.stakeholder_group.label, country_name(registration.country),
               registration.attendance.label]
              for number, registration in enumerate(people, start=1)],
        language=_locale(), right_to_left=_locale() in RIGHT_TO_LEFT)
    docx = attendance_docx(sheet, paper)
    return _as_pdf(docx, f"{consultation.slug}-attendance-{paper.value}.pdf", slug)


def _dates(starts: date, ends: date) -> str:
    if starts == ends:
        return format_date(starts, "long")
    return _("%(start)s to %(end)s", start=format_date(starts, "long"),
             end=format_date(ends, "long"))


@blueprint.get("/c/<slug>/check-in/badge/<code>")
@login_required
def badge(slug, code):
    """What a phone's own camera app opens from a badge: the person, and a button to check
    them in."""
    consultation = _desk(slug)
    try:
        registration = badges.registration_of_badge(consultation, code)
    except badges.BadgeRefused as refusal:
        return render_template("consultations/registration/badge.html",
                               consultation=consultation, refusal=refusal.reason,
                               form=StatusForm()), 400
    return render_template("consultations/registration/badge.html", consultation=consultation,
                           registration=registration, code=code, form=StatusForm())


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@blueprint.post("/c/<slug>/check-in/badge")
@login_required
def check_in_by_badge(slug):
    """A scanned badge: checks its person in. Answers JSON to the check-in page's scanner,
    else goes back to the check-in page with the outcome said."""
    consultation = _desk(slug)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        done = badges.check_in_by_badge(consultation, request.form.get("badge", ""),
                                        current_user)
    except badges.BadgeRefused as refusal:
        if _wants_json():
            return jsonify(ok=False, code=refusal.code, message=refusal.reason), 422
        flash(refusal.reason, "error")
        return redirect(url_for("consultations.check_in", slug=slug))
    registration = done.registration
    message = _("%(name)s is checked in.", name=registration.user.name) if done.newly else \
        _("%(name)s was checked in already.", name=registration.user.name)
    if _wants_json():
        return jsonify(ok=True, newly=done.newly, name=registration.user.name,
                       registration=registration.id, message=message)
    flash(message, "success")
    return redirect(url_for("consultations.check_in", slug=slug))

