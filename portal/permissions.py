"""Every "may this user do this to that" question, answered in one place.

Views, templates and Socket.IO handlers ask these predicates; none of them decides by what a
page happens to show. A consultation role counts only while its registration is approved.
Platform admins run the platform: they may see and set up every consultation, but they do not
speak or vote in one unless they also hold a role there.
"""

from sqlalchemy import event, inspect, or_, select, true
from sqlalchemy.orm import Session

from consultations.models import (
    AttributionRule,
    Consultation,
    ConsultationStatus,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.extensions import db

#: Consultations whose discussion and voting are over; their record can still be read.
FINISHED = {ConsultationStatus.closed, ConsultationStatus.archived}


def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def is_admin(user) -> bool:
    return is_signed_in(user) and user.is_admin


def registration_of(user, consultation: Consultation) -> Registration | None:
    """The user's registration in the consultation. A found one is remembered for the rest
    of the database session (a request, a socket event): every permission asks for it, and
    the remembered object is the session's own, so changes to it show."""
    if not is_signed_in(user):
        return None
    known = db.session.info.setdefault("registrations", {})
    key = (user.id, consultation.id)
    registration = known.get(key)
    if registration is not None:
        state = inspect(registration)
        if state.persistent:
            return registration
    registration = db.session.execute(
        select(Registration).where(
            Registration.consultation_id == consultation.id, Registration.user_id == user.id
        )
    ).scalar_one_or_none()
    if registration is not None:
        known[key] = registration
    return registration


@event.listens_for(Session, "after_rollback")
def _forget_registrations(session: Session) -> None:
    session.info.pop("registrations", None)


def role_in(user, consultation: Consultation) -> Role | None:
    """The role the user holds in the consultation, if their registration is approved."""
    registration = registration_of(user, consultation)
    if registration is None or registration.status != RegistrationStatus.approved:
        return None
    return registration.role


def _holds(user, consultation: Consultation, *roles: Role) -> bool:
    return role_in(user, consultation) in roles


def may_view_consultation(user, consultation: Consultation) -> bool:
    """A draft is seen by its facilitators and admins only; every other status is public."""
    if consultation.status != ConsultationStatus.draft:
        return True
    return is_admin(user) or _holds(user, consultation, Role.facilitator)


def visible_consultations(user):
    """The SQL condition matching the consultations ``may_view_consultation`` allows."""
    if is_admin(user):
        return true()
    not_draft = Consultation.status != ConsultationStatus.draft
    if not is_signed_in(user):
        return not_draft
    facilitated = select(Registration.consultation_id).where(
        Registration.user_id == user.id,
        Registration.role == Role.facilitator,
        Registration.status == RegistrationStatus.approved,
    )
    return or_(not_draft, Consultation.id.in_(facilitated))


def may_create_consultation(user) -> bool:
    """Admins, and anyone who facilitates a consultation already, set up new ones."""
    if is_admin(user):
        return True
    if not is_signed_in(user):
        return False
    return db.session.execute(
        select(Registration.id).where(
            Registration.user_id == user.id,
            Registration.role == Role.facilitator,
            Registration.status == RegistrationStatus.approved,
        ).limit(1)
    ).first() is not None


def may_edit_consultation(user, consultation: Consultation) -> bool:
    return is_admin(user) or _holds(user, consultation, Role.facilitator)


def may_appoint_roles(user, consultation: Consultation) -> bool:
    """Appoint someone to the consultation's team: facilitators appoint every role, the
    secretariat its translators."""
    return bool(roles_to_appoint(user, consultation))


def roles_to_appoint(user, consultation: Consultation) -> list[Role]:
    """The roles this user may give others in the consultation."""
    if may_edit_consultation(user, consultation):
        return list(Role)
    if _holds(user, consultation, Role.secretariat):
        return [Role.translator]
    return []


def may_manage_registrations(user, consultation: Consultation) -> bool:
    """Approve, waitlist or decline registrations, import invitees."""
    return may_edit_consultation(user, consultation)


def may_view_registrations(user, consultation: Consultation) -> bool:
    return is_admin(user) or _holds(user, consultation, Role.facilitator, Role.secretariat)


def may_check_in(user, consultation: Consultation) -> bool:
    if consultation.status in FINISHED:
        return False
    return is_admin(user) or _holds(user, consultation, Role.facilitator, Role.secretariat)


def may_register(user, consultation: Consultation) -> bool:
    """Whether the registration form is open; capacity and invitations are checked on submit."""
    takes_late = (consultation.status == ConsultationStatus.live
                  and consultation.registration_open_while_live)
    if consultation.status != ConsultationStatus.registration_open and not takes_late:
        return False
    registration = registration_of(user, consultation)
    return registration is None or registration.status in {
        RegistrationStatus.cancelled,
        RegistrationStatus.declined,
    }


def may_read_discussions(user, consultation: Consultation) -> bool:
    return is_admin(user) or role_in(user, consultation) is not None


def may_comment(user, consultation: Consultation) -> bool:
    if consultation.status in FINISHED or consultation.status == ConsultationStatus.draft:
        return False
    return _holds(user, consultation, Role.facilitator, Role.rapporteur, Role.participant)


def _in_breakout(user, consultation: Consultation, group) -> bool:
    """Whether the user takes part in this group's discussion: their own group (once the
    assignment is published), any group when the consultation opens them all, and the group
    they lead."""
    if group is None or consultation.breakout_threads_open:
        return True
    if user.id in (group.facilitator_id, group.rapporteur_id):
        return True
    from consultations.breakouts import is_member

    return is_member(user, group)


def _may_read(user, consultation: Consultation, group) -> bool:
    if is_admin(user):
        return True
    role = role_in(user, consultation)
    if role is None:
        return False
    if role in (Role.facilitator, Role.secretariat, Role.observer):
        return True
    return _in_breakout(user, consultation, group)


def may_read_breakout(user, group) -> bool:
    """Read a breakout group's page and threads (observers and the organisers read all)."""
    return _may_read(user, group.round.consultation, group)


def may_read_thread(user, thread) -> bool:
    return _may_read(user, thread.consultation, thread.breakout_group)


def may_write_in_thread(user, thread) -> bool:
    consultation = thread.consultation
    if not may_comment(user, consultation):
        return False
    return _holds(user, consultation, Role.facilitator) or _in_breakout(
        user, consultation, thread.breakout_group)


def may_see_author_names(user, consultation: Consultation) -> bool:
    """Under Chatham House, only those who moderate see who wrote what."""
    if consultation.attribution_rule != AttributionRule.chatham_house:
        return True
    return may_moderate(user, consultation)


def may_moderate(user, consultation: Consultation) -> bool:
    return is_admin(user) or _holds(user, consultation, Role.facilitator)


def may_draft_recommendations(user, consultation: Consultation) -> bool:
    if consultation.status in FINISHED:
        return False
    return _holds(user, consultation, Role.facilitator, Role.rapporteur)


def may_propose_amendments(user, consultation: Consultation) -> bool:
    if consultation.status != ConsultationStatus.live:
        return False
    return _holds(user, consultation, Role.facilitator, Role.rapporteur, Role.participant)


def may_vote(user, consultation: Consultation) -> bool:
    """Participants and rapporteurs vote; facilitators chair, secretariat and observers do not."""
    if consultation.status != ConsultationStatus.live:
        return False
    return _holds(user, consultation, Role.rapporteur, Role.participant)


def may_follow_votes(user, consultation: Consultation) -> bool:
    """Follow rounds and their tallies: everyone admitted to the consultation."""
    return may_read_discussions(user, consultation)


def may_run_votes(user, consultation: Consultation) -> bool:
    if consultation.status != ConsultationStatus.live:
        return False
    return _holds(user, consultation, Role.facilitator)


def may_reopen_rounds(user, consultation: Consultation) -> bool:
    """Reopen a vote closed by mistake (once each, with a reason: recommendations/voting.py):
    the facilitators of a live consultation, as for running the votes."""
    return may_run_votes(user, consultation)


def may_see_open_round_breakdown(user, consultation: Consultation) -> bool:
    """See an open round's votes by stakeholder group: those who run the vote. Everyone else
    sees a round's breakdown once it is closed (recommendations/breakdown.py)."""
    return may_run_votes(user, consultation)


def may_compile_outcome(user, consultation: Consultation) -> bool:
    """Compile, preview and download outcome documents (drafts included), mark one final, and
    write their executive summary and introduction."""
    return is_admin(user) or _holds(user, consultation, Role.facilitator, Role.secretariat)


def may_read_outcome_document(user, document) -> bool:
    """Those who compile read every version. Everyone admitted to the consultation reads the
    final ones: the text was agreed in their name, and they may check what was sent."""
    consultation = document.consultation
    if may_compile_outcome(user, consultation):
        return True
    return document.final and may_read_discussions(user, consultation)


def may_write_breakout_summary(user, group) -> bool:
    """The group's rapporteur writes its summary; those who compile the outcome may too."""
    consultation = group.round.consultation
    if may_compile_outcome(user, consultation):
        return True
    return (is_signed_in(user) and group.rapporteur_id == user.id
            and _holds(user, consultation, Role.rapporteur))


def may_translate(user, consultation: Consultation) -> bool:
    """Enter, correct and review the translations of recommendations and amendments: the
    secretariat and the translators it appoints (and facilitators, who answer for the text)."""
    return may_compile_outcome(user, consultation) or _holds(user, consultation, Role.translator)


def may_review_translation(user, consultation: Consultation, translation) -> bool:
    """A translation (of a version or of an amendment) is marked reviewed by someone who may
    translate, other than the person who translated it."""
    return (translation is not None and may_translate(user, consultation)
            and translation.translated_by_id != user.id)


def may_translate_consultation_texts(user, consultation: Consultation) -> bool:
    """Give the consultation's title, description, venue, organisers, agenda items, breakout
    themes and guiding questions in its other working languages."""
    return may_edit_consultation(user, consultation) or may_translate(user, consultation)


def may_view_audit(user, consultation: Consultation | None = None) -> bool:
    """The whole audit log is for admins; a consultation's audit also for its facilitators."""
    if consultation is None:
        return is_admin(user)
    return is_admin(user) or _holds(user, consultation, Role.facilitator)


def may_lift_sign_in_lock(user, person) -> bool:
    """Let someone whose sign-ins are delayed by failed attempts sign in again at once: a
    platform admin, or a facilitator of a consultation the person is registered in."""
    if is_admin(user):
        return True
    if not is_signed_in(user) or person is None:
        return False
    facilitated = select(Registration.consultation_id).where(
        Registration.user_id == user.id,
        Registration.role == Role.facilitator,
        Registration.status == RegistrationStatus.approved,
    )
    return db.session.execute(
        select(Registration.id).where(
            Registration.user_id == person.id,
            Registration.consultation_id.in_(facilitated),
        ).limit(1)
    ).first() is not None
