from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consultations.gcm import OBJECTIVES
from consultations.models import Consultation, ConsultationStatus
from portal import permissions
from portal.extensions import db

blueprint = Blueprint("consultations", __name__)

UPCOMING = {ConsultationStatus.draft, ConsultationStatus.registration_open}


@blueprint.get("/")
def index():
    consultations = db.session.execute(
        select(Consultation)
        .where(permissions.visible_consultations(current_user))
        .options(selectinload(Consultation.objective_links))
        .order_by(Consultation.starts_at.desc())
    ).scalars().all()
    upcoming = [c for c in consultations if c.status in UPCOMING]
    live = [c for c in consultations if c.status == ConsultationStatus.live]
    past = [c for c in consultations if c.status in permissions.FINISHED]
    return render_template(
        "consultations/index.html", upcoming=upcoming, live=live, past=past
    )


@blueprint.get("/c/<slug>")
def show(slug):
    consultation = db.first_or_404(select(Consultation).where(Consultation.slug == slug))
    if not permissions.may_view_consultation(current_user, consultation):
        # A draft is not acknowledged to exist for those who may not see it.
        abort(404)
    return render_template(
        "consultations/show.html",
        consultation=consultation,
        role=permissions.role_in(current_user, consultation),
        registration=permissions.registration_of(current_user, consultation),
        gcm_objectives=OBJECTIVES,
    )
