"""The consultations area's models, importable from here."""

from consultations.models.breakout import (
    BreakoutAssignment,
    BreakoutChoice,
    BreakoutGroup,
    BreakoutGroupTranslation,
)
from consultations.models.calendar import CalendarFeed
from consultations.models.consultation import (
    AdoptionRule,
    AgendaItem,
    AgendaItemKind,
    AgendaItemTranslation,
    ApprovalRule,
    AttributionRule,
    Consultation,
    ConsultationObjective,
    ConsultationStatus,
    ConsultationTranslation,
    Mode,
    Region,
)
from consultations.models.discussion import Comment, CommentFlag, CommentRevision, Thread
from consultations.models.registration import (
    Attendance,
    Invitation,
    QuestionKind,
    Registration,
    RegistrationAnswer,
    RegistrationQuestion,
    RegistrationStatus,
    Role,
)

__all__ = [
    "AdoptionRule",
    "AgendaItem",
    "AgendaItemKind",
    "AgendaItemTranslation",
    "ApprovalRule",
    "Attendance",
    "AttributionRule",
    "BreakoutAssignment",
    "BreakoutChoice",
    "BreakoutGroup",
    "BreakoutGroupTranslation",
    "CalendarFeed",
    "Comment",
    "CommentFlag",
    "CommentRevision",
    "Consultation",
    "ConsultationObjective",
    "ConsultationStatus",
    "ConsultationTranslation",
    "Invitation",
    "Mode",
    "QuestionKind",
    "Region",
    "Registration",
    "RegistrationAnswer",
    "RegistrationQuestion",
    "RegistrationStatus",
    "Role",
    "Thread",
]
