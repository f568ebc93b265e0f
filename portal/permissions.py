"""Every "may this user do this to that" question, answered in one place.

Views, templates and Socket.IO handlers ask these predicates; none of them decides by what a
page happens to show. A consultation role counts only while its registration is approved.
Platform admins run the platform: they may see and set up every consultation, but they do not
speak or vote in one unless they also hold a role there.

Where a permission is checked:

- An operation that takes an actor (``discussion.edit_comment``, ``registrations.approve``,
  ``breakouts.publish``, ``operations.change_status``...) checks it itself, always, whoever
  calls it: ``demand(may_edit_consultation(actor, consultation))`` refuses with
  ``NotPermitted``, or the area's own refusal says why. Aside: what happens as a consequence
  rather than for an actor (promoting from the waitlist, taking up appointments), what a
  command does for no one (``actor=None``), and ``operations.create_consultation``, whose
  creator the set-up page checks (``may_create_consultation``).
- A view checks it too (``require``: 403, or 404 where the thing's existence is not to be
  told) before it reads a form, and asks predicates only to choose what to show.
- Templates ask the same predicates through the ``permissions`` global
  (``permissions.may_edit_comment(current_user, comment)``).

No rule is written anywhere else: no comparison of the signed-in user with a record's author,
no role test, no ``is_admin`` in a view or a template (tests/test_permission_rules.py names
any it finds). ``VOTING_ROLES`` is the one set of the roles that vote and join breakout groups.
"""

from flask_babel import gettext as _
from sqlalchemy import bindparam, event, or_, select, true
from sqlalchemy.orm import Session

from consultations.models import (
    Attendance,
    AttributionRule,
    BreakoutAssignment,
    Consultation,
    ConsultationStatus,
    Registration,
    RegistrationStatus,
    Role,
)
from portal.database import kept_in_session
from portal.extensions import db
from portal.refusals import Refused

#: Consultations whose discussion and voting are over; their record can still be read.
FINISHED = {ConsultationStatus.closed, ConsultationStatus.archived}

#: The roles that vote, are placed in breakout groups and count as the consultation's
#: participants in its outcome: participants and rapporteurs. Facilitators chair; the
#: secretariat, observers and translators neither vote nor join a group.
VOTING_ROLES = (Role.participant, Role.rapporteur)


class NotPermitted(Refused):
    """The operation's actor may not do this. Views check first and answer 403; an operation
    refuses so only when called by other code (a command, a socket event, a test)."""


def demand(allowed: bool) -> None:
    """An operation's own check of its actor: refuse unless ``allowed``, a predicate's answer
    (``demand(may_edit_consultation(actor, consultation))``)."""
    if not allowed:
        raise NotPermitted(_("You may not do this"))


def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated)


def is_admin(user) -> bool:
    return is_signed_in(user) and user.is_admin


#: Built once: on SQLite, building a statement costs about as much as running it, and every
#: page and live event asks for a registration.
_REGISTRATION = select(Registration).where(
    Registration.consultation_id == bindparam("consultation_id"),
    Registration.user_id == bindparam("user_id"))


def registration_of(user, consultation: Consultation) -> Registration | None:
    """The user's registration in the consultation. A found one is remembered for the rest
    of the database session (a request, a socket event): every permission asks for it, and
    the remembered object is the session's own, so changes to it show."""
    if not is_signed_in(user):
        return None
    return kept_in_session(db.session, "registrations", (user.id, consultation.id), lambda: (
        db.session.execute(_REGISTRATION, {"consultation_id": consultation.id,
                                           "user_id": user.id}).scalar_one_or_none()))


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


def is_author(user, record) -> bool:
    """Whether the user wrote the record (a comment, an amendment: its ``author_id``)."""
    return is_signed_in(user) and record.author_id == user.id


def is_own_registration(user, registration) -> bool:
    """Whether the registration is the user's own (who alone decides some of its choices)."""
    return is_signed_in(user) and registration.user_id == user.id


def is_translator_of(user, translation) -> bool:
    """Whether the user entered this translation (who may then not mark it reviewed)."""
    return is_signed_in(user) and translation.translated_by_id == user.id


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


def may_see_meeting_link(user, consultation: Consultation) -> bool:
    """The consultation's video meeting link, on its page, in e-mails and calendars: those
    admitted to it who take part online. (Those who set the consultation up read it in its
    set-up form.)"""
    registration = registration_of(user, consultation)
    return (registration is not None and registration.status == RegistrationStatus.approved
            and registration.attendance == Attendance.online)


def may_see_group_meeting_link(user, group) -> bool:
    """A breakout group's meeting link: those who take part online and read the group."""
    return (may_see_meeting_link(user, group.round.consultation)
            and may_read_breakout(user, group))


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


def may_cancel_registration(user, consultation: Consultation) -> bool:
    """Cancel one's own registration: whoever has one."""
    return registration_of(user, consultation) is not None


def offers_cancelling(user, consultation: Consultation) -> bool:
    """Whether one's registration page offers to cancel it: to participants (the team's roles
    are changed by the facilitators)."""
    registration = registration_of(user, consultation)
    return registration is not None and registration.role == Role.participant


def may_read_discussions(user, consultation: Consultation) -> bool:
    return is_admin(user) or role_in(user, consultation) is not None


def may_comment(user, consultation: Consultation) -> bool:
    if consultation.status in FINISHED or consultation.status == ConsultationStatus.draft:
        return False
    return _holds(user, consultation, Role.facilitator, Role.rapporteur, Role.participant)


def may_lead_breakout_group(user, consultation: Consultation) -> bool:
    """Be named a breakout group's facilitator or rapporteur: anyone admitted to the
    consultation, in any role."""
    return role_in(user, consultation) is not None


def _in_breakout(user, consultation: Consultation, group) -> bool:
    """Whether the user takes part in this group's discussion: their own group (once the
    assignment is published), any group when the consultation opens them all, and the group
    they lead."""
    if group is None or consultation.breakout_threads_open:
        return True
    if user.id in (group.facilitator_id, group.rapporteur_id):
        return True
    return is_breakout_member(user, group)


def is_breakout_member(user, group) -> bool:
    """Whether the user is placed in the group, once its round's assignment is published."""
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.execute(
        select(BreakoutAssignment.id).join(Registration).where(
            BreakoutAssignment.group_id == group.id, Registration.user_id == user.id,
            Registration.status == RegistrationStatus.approved)
    ).first() is not None and group.round.assignment_published_at is not None


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


def may_edit_comment(user, comment) -> bool:
    """Its author, while the comment is shown and they may still write in its thread."""
    return (is_author(user, comment) and comment.is_visible
            and may_write_in_thread(user, comment.thread))


def may_delete_comment(user, comment) -> bool:
    """Its author, always: a comment hidden by moderation, or in a thread the author may no
    longer write in, can still be taken back."""
    return is_author(user, comment)


def may_flag_comment(user, comment) -> bool:
    """Report a comment to the moderators: whoever reads its thread and holds a role in the
    consultation (platform admins moderate instead)."""
    return may_flag_in_thread(user, comment.thread)


def may_flag_in_thread(user, thread) -> bool:
    """``may_flag_comment`` for every comment of the thread (a page asks once)."""
    return may_read_thread(user, thread) and role_in(user, thread.consultation) is not None


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


def may_support_amendment(user, amendment) -> bool:
    """Support someone else's amendment: whoever may propose amendments. (Supporting one's
    own is not offered; it is counted as its author's already.)"""
    return may_propose_amendments(user, amendment.recommendation.consultation)


def may_decide_amendment(user, amendment) -> bool:
    """Accept or reject an amendment: those who draft the recommendations."""
    return may_draft_recommendations(user, amendment.recommendation.consultation)


def may_withdraw_amendment(user, amendment) -> bool:
    """Its author, while it is open (drafting.withdraw_amendment refuses a decided one)."""
    return is_author(user, amendment)


def may_vote(user, consultation: Consultation) -> bool:
    """Participants and rapporteurs vote; facilitators chair, secretariat and observers do not."""
    if consultation.status != ConsultationStatus.live:
        return False
    return _holds(user, consultation, *VOTING_ROLES)


def may_choose_breakout_group(user, round_) -> bool:
    """Choose one's group in a breakout round that lets members choose: those placed in
    groups (``VOTING_ROLES``)."""
    return round_.allow_choices and _holds(user, round_.consultation, *VOTING_ROLES)


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
            and not is_translator_of(user, translation))


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


# Reviews: the review, its team, its consultations and the commitments -------------------------
# A review's objects are read by their attributes only (portal/ does not import reviews/).

def organisation_key(name: str | None) -> str:
    """An organisation's name as compared: case and spacing ignored."""
    return "".join((name or "").casefold().split())


def same_organisation(first: str, second: str) -> bool:
    return organisation_key(first) == organisation_key(second)


def is_review_team_member(user, review) -> bool:
    return is_signed_in(user) and any(member.user_id == user.id for member in review.secretariat)


def is_review_secretariat(user, review) -> bool:
    """A member of the review's secretariat team, or a platform admin."""
    return is_admin(user) or is_review_team_member(user, review)


def may_create_review(user) -> bool:
    """Admins, and anyone holding the secretariat role in a consultation."""
    return is_admin(user) or is_signed_in(user) and db.session.execute(
        select(Registration.id).where(
            Registration.user_id == user.id, Registration.role == Role.secretariat,
            Registration.status == RegistrationStatus.approved).limit(1)).first() is not None


def may_edit_review(user, review) -> bool:
    """Edit the review, its team, its reminder date; detach consultations."""
    return is_review_secretariat(user, review)


def may_view_review(user, review) -> bool:
    """A private review: its team, admins, and those who run its consultations."""
    return review.is_public or may_edit_review(user, review) or any(
        _holds(user, link.consultation, Role.facilitator, Role.secretariat)
        for link in review.attachments)


def may_attach_consultation(user, consultation: Consultation) -> bool:
    """Attach the consultation to a review (one the user may see), or detach it."""
    return is_admin(user) or _holds(user, consultation, Role.facilitator, Role.secretariat)


def may_detach_consultation(user, review, consultation: Consultation) -> bool:
    return may_edit_review(user, review) or may_attach_consultation(user, consultation)


def may_name_commitment_organisation(user, review) -> bool:
    """Commit for any organisation, typed: the review's team and admins."""
    return may_edit_review(user, review)


def registrations_in_review(user, review) -> list:
    """The approved registrations of the user in the review's consultations."""
    found = [registration_of(user, link.consultation) for link in review.attachments]
    return [registration for registration in found
            if registration is not None and registration.status == RegistrationStatus.approved]


def may_make_commitment(user, review) -> bool:
    return may_view_review(user, review) and (
        may_name_commitment_organisation(user, review)
        or bool(registrations_in_review(user, review)))


def may_report_progress(user, commitment) -> bool:
    """The people of the commitment's organisation, and the review's team."""
    own = {organisation_key(registration.organisation)
           for registration in registrations_in_review(user, commitment.review)}
    return (may_name_commitment_organisation(user, commitment.review)
            or organisation_key(commitment.organisation) in own)


# Reviews: the synthesis and the silence procedure ---------------------------------------------

def may_build_synthesis(user, review) -> bool:
    """Group the adopted recommendations, write the synthesised texts, save versions."""
    return is_review_secretariat(user, review)


def may_read_synthesis(user, review) -> bool:
    """Its saved versions, documents and silence procedures: whoever may see the review, and
    the Member States' people of its consultations, who validate it."""
    return may_view_review(user, review) or bool(state_organisations_of(user, review))


def may_open_silence_procedure(user, review) -> bool:
    return is_review_secretariat(user, review)


def state_organisations_of(user, review) -> list[str]:
    """The organisations the user speaks for as a Member State in the review: those of their
    approved registrations in its consultations with the member_state stakeholder group."""
    if not is_signed_in(user):
        return []
    consultation_ids = [attachment.consultation_id for attachment in review.attachments]
    return list(db.session.scalars(select(Registration.organisation).where(
        Registration.user_id == user.id, Registration.consultation_id.in_(consultation_ids),
        Registration.status == RegistrationStatus.approved,
        Registration.stakeholder_group == "member_state")))


def may_break_silence(user, validator) -> bool:
    """A validating organisation's silence is broken once, by one of its State's people."""
    procedure = validator.procedure
    if procedure.status != "open" or validator.broke_silence_at is not None:
        return False
    return any(same_organisation(organisation, validator.organisation)
               for organisation in state_organisations_of(user, procedure.review))
