"""The pages everyone sees: the list of consultations and each consultation's page."""

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consultations import breakouts
from consultations.gcm import OBJECTIVES
from consultations.models import (
    Consultation,
    ConsultationObjective,
    ConsultationStatus,
    Region,
)
from consultations.next_step import next_step
from consultations.views import blueprint
from portal import permissions
from portal.extensions import db
from portal.page_access import load_consultation

UPCOMING = {ConsultationStatus.draft, ConsultationStatus.registration_open}


@blueprint.get("/")
def index():
    query = (
        select(Consultation)
        .where(permissions.visible_consultations(current_user))
        .options(selectinload(Consultation.objective_links))
        .order_by(Consultation.starts_at.desc())
    )
    region = request.args.get("region", "")
    if region in {member.value for member in Region}:
        query = query.where(Consultation.region == Region(region))
    else:
        region = ""
    objective = request.args.get("objective", type=int)
    if objective in OBJECTIVES:
        query = query.where(Consultation.id.in_(
            select(ConsultationObjective.consultation_id).where(
                ConsultationObjective.objective == objective)))
    else:
        objective = None
    consultations = db.session.execute(query).scalars().all()
    upcoming = [c for c in consultations if c.status in UPCOMING]
    live = [c for c in consultations if c.status == ConsultationStatus.live]
    past = [c for c in consultations if c.status in permissions.FINISHED]
    return render_template(
        "consultations/index.html", upcoming=upcoming, live=live, past=past,
        regions=list(Region), objectives=OBJECTIVES, region=region, objective=objective,
    )


@blueprint.get("/c/<slug>")
def show(slug):
    consultation = load_consultation(slug)
    registration = permissions.registration_of(current_user, consultation)
    my_groups = {
        item.id: breakouts.group_of(registration, item)
        for item in consultation.agenda_items if item.is_breakout_round
    }
    return render_template(
        "consultations/show.html",
        consultation=consultation,
        role=permissions.role_in(current_user, consultation),
        registration=registration,
        my_groups=my_groups,
        gcm_objectives=OBJECTIVES,
        next_step=next_step(consultation, current_user),
    )
