from flask import has_request_context, request

from portal.audit.models import AuditEvent
from portal.extensions import db


def record_event(action, *, actor=None, target=None, consultation=None, **details) -> AuditEvent:
    """Add an audit event to the current transaction.

    ``target`` is any mapped object with an ``id``; its table name is kept with the id.
    """
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        consultation_id=consultation.id if consultation is not None else None,
        target_type=target.__tablename__ if target is not None else None,
        target_id=target.id if target is not None else None,
        ip_address=request.remote_addr if has_request_context() else None,
        details=details,
    )
    db.session.add(event)
    return event
