from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, abort, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from portal import permissions
from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.database import MAX_ROW_ID
from portal.extensions import db
from portal.page_access import consultations_by_title, load_consultation

blueprint = Blueprint("audit", __name__)

PAGE_SIZE = 50


class AuditFilterForm(FlaskForm):
    """The audit log's filters, sent in the address (GET): no CSRF token."""

    class Meta:
        csrf = False

    actor = StringField(_l("Who (name or e-mail address)"), validators=[Length(max=254)])
    consultation = SelectField(_l("Consultation"), validate_choice=False)
    action = SelectField(_l("Action"), validate_choice=False)
    since = DateField(_l("From (UTC)"), validators=[Optional()])
    until = DateField(_l("Until (UTC)"), validators=[Optional()])

    def validate_until(self, field):
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end of the period must come after its start."))


def _clean(value) -> str:
    """A filter's text without NUL characters, which PostgreSQL refuses in a string."""
    return (value or "").replace("\x00", "").strip()


def _filtered(form: AuditFilterForm, query, with_consultation: bool):
    actor = _clean(form.actor.data).lower()
    if actor:
        pattern = f"%{actor.replace('%', '').replace('_', '')}%"
        query = query.where(AuditEvent.actor_id.in_(
            select(User.id).where(or_(func.lower(User.email).like(pattern),
                                      func.lower(User.name).like(pattern)))))
    action = _clean(form.action.data)
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    consultation = _clean(form.consultation.data) if with_consultation else ""
    if consultation.isdecimal() and int(consultation) <= MAX_ROW_ID:
        query = query.where(AuditEvent.consultation_id == int(consultation))
    dates_valid = not (form.since.errors or form.until.errors)
    if dates_valid and form.since.data:
        query = query.where(
            AuditEvent.occurred_at >= datetime.combine(form.since.data, time(), tzinfo=UTC))
    if dates_valid and form.until.data:
        end = datetime.combine(form.until.data + timedelta(days=1), time(), tzinfo=UTC)
        query = query.where(AuditEvent.occurred_at < end)
    return query


def _log_page(form: AuditFilterForm, base_query, *, consultation=None):
    with_consultation = consultation is None
    actions = db.session.execute(
        base_query.with_only_columns(AuditEvent.action).distinct()
        .order_by(None).order_by(AuditEvent.action)).scalars().all()
    form.action.choices = [("", _l("All actions"))] + [(name, name) for name in actions]
    if with_consultation:
        form.consultation.choices = [("", _l("All consultations"))] + [
            (str(identifier), title) for identifier, title in consultations_by_title()]
    else:
        del form.consultation
    form.validate()
    query = _filtered(form, base_query, with_consultation)
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    filters = {name: value for name, value in (
        ("actor", form.actor.data), ("action", form.action.data),
        ("consultation", form.consultation.data if with_consultation else None),
        ("since", form.since.raw_data[0] if form.since.raw_data else None),
        ("until", form.until.raw_data[0] if form.until.raw_data else None)) if value}
    if consultation is not None:
        filters["slug"] = consultation.slug
    return render_template("audit/events.html", page=page, form=form, filters=filters,
                           consultation=consultation,
                           show_addresses=permissions.may_view_audit(current_user))


def _newest_first():
    return select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())


@blueprint.get("/admin/audit/")
@login_required
def events():
    if not permissions.may_view_audit(current_user):
        abort(403)
    return _log_page(AuditFilterForm(formdata=request.args), _newest_first())


@blueprint.get("/c/<slug>/audit")
@login_required
def consultation_events(slug):
    consultation = load_consultation(slug)
    if not permissions.may_view_audit(current_user, consultation):
        abort(403)
    query = _newest_first().where(AuditEvent.consultation_id == consultation.id)
    return _log_page(AuditFilterForm(formdata=request.args), query, consultation=consultation)
