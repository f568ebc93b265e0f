from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import permissions
from portal.audit.models import AuditEvent
from portal.extensions import db

blueprint = Blueprint("audit", __name__, url_prefix="/admin/audit")

PAGE_SIZE = 50


@blueprint.get("/")
@login_required
def events():
    if not permissions.may_view_audit(current_user):
        abort(403)
    action = request.args.get("action", "").strip()
    query = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action:
        query = query.where(AuditEvent.action.startswith(action, autoescape=True))
    page = db.paginate(query, per_page=PAGE_SIZE, error_out=False)
    actions = db.session.execute(
        select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    ).scalars().all()
    return render_template("audit/events.html", page=page, action=action, actions=actions)
