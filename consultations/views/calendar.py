"""Calendars: a consultation's agenda as an .ics file, a person's feed at its secret address,
and the account page where that address is made, renewed or stopped."""

from urllib.parse import urlsplit, urlunsplit

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from consultations import calendar
from consultations.forms import StatusForm
from consultations.views import blueprint
from portal.page_access import load_consultation

CALENDAR_TYPE = "text/calendar; charset=utf-8"


def _calendar_response(content: bytes, filename: str) -> Response:
    return Response(content, mimetype=CALENDAR_TYPE, headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        # It may hold a meeting link given to this reader only.
        "Cache-Control": "private, no-store",
    })


@blueprint.get("/c/<slug>/agenda.ics")
def agenda_calendar(slug):
    """The consultation and its agenda, for whoever may see the consultation (404 otherwise),
    with the meeting link for those who take part online."""
    consultation = load_consultation(slug)
    content = calendar.agenda_calendar(consultation, current_user, str(get_locale() or "en"))
    return _calendar_response(content, f"{consultation.slug}.ics")


@blueprint.get("/calendar/<token>.ics")
def personal_calendar(token):
    """A person's feed, fetched by calendar applications without cookies: the secret address
    is the credential; a wrong, renewed or stopped one is not found."""
    person = calendar.person_of_calendar_token(token)
    if person is None:
        return Response(_("This calendar address does not exist, or it was renewed. Copy the "
                          "new address from your account's calendar page."),
                        status=404, mimetype="text/plain")
    response = _calendar_response(calendar.personal_calendar(person), "red-talks.ics")
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _addresses(token: str) -> dict:
    https = url_for("consultations.personal_calendar", token=token, _external=True)
    parts = urlsplit(https)
    return {"https": https, "webcal": urlunsplit(("webcal", *parts[1:]))}


def _page(token: str | None = None):
    response = Response(render_template(
        "consultations/calendar.html", feed=calendar.calendar_feed_of(current_user),
        registrations=calendar.registrations_in_feed(current_user), form=StatusForm(),
        addresses=_addresses(token) if token else None))
    # The page shows a new secret address once: no copy of it is kept anywhere.
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/account/calendar")
@login_required
def my_calendar():
    return _page()


@blueprint.post("/account/calendar/renew")
@login_required
def renew_calendar():
    """Make the address of one's feed, or a new one: the old one stops working. The page
    shows the new address this once (it is not kept, so it cannot be shown again)."""
    if not StatusForm().validate_on_submit():
        flash(_("The form has expired; try again."), "error")
        return redirect(url_for("consultations.my_calendar"))
    return _page(calendar.renew_calendar_feed(current_user))


@blueprint.post("/account/calendar/stop")
@login_required
def stop_calendar():
    if StatusForm().validate_on_submit() and calendar.stop_calendar_feed(current_user):
        flash(_("Your calendar address no longer works. Calendar applications subscribed to "
                "it keep what they had and get nothing new."), "success")
    return redirect(url_for("consultations.my_calendar"))
