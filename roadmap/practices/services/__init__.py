"""Writes of the best-practice exchange, one module per kind of write.

- `practices`: practices and their versions, submitting and the centre's review;
- `uploads`: attachments;
- `adoptions`: adoptions, and turning one into a measure or a service request;
- `questions`: questions and answers;
- `events`: exchange events, registrations and their reminders;
- `common`: the error, the validation and a practice's audit entry that all of them share.

E-mails are sent after the transaction commits, so nobody is told of a change that was rolled
back.

This package is the exchange's write API: callers import from `roadmap.practices.services` what
is re-exported here, never the submodules' private helpers.
"""

from roadmap.practices.services.adoptions import (
    adoption_to_measure,
    adoption_to_request,
    adoption_update,
    interest_declare,
)
from roadmap.practices.services.common import (
    SEARCH_CONFIG,
    PracticeError,
    State,
    latest_version,
)
from roadmap.practices.services.events import (
    REMINDER_AHEAD,
    EventInput,
    event_register,
    event_save,
    event_unregister,
    reminders_send,
)
from roadmap.practices.services.practices import (
    CONTENT_FIELDS,
    PracticeInput,
    practice_create,
    practice_review,
    practice_submit,
    practice_update,
)
from roadmap.practices.services.questions import question_answer, question_ask
from roadmap.practices.services.uploads import attachment_add

__all__ = [
    "CONTENT_FIELDS",
    "REMINDER_AHEAD",
    "SEARCH_CONFIG",
    "EventInput",
    "PracticeError",
    "PracticeInput",
    "State",
    "adoption_to_measure",
    "adoption_to_request",
    "adoption_update",
    "attachment_add",
    "event_register",
    "event_save",
    "event_unregister",
    "interest_declare",
    "latest_version",
    "practice_create",
    "practice_review",
    "practice_submit",
    "practice_update",
    "question_answer",
    "question_ask",
    "reminders_send",
]
