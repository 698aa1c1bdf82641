"""Mail about a change, sent once the change is committed: the one way services send mail.

A mail about a change that is rolled back is never sent, and a mail server that fails after the
commit never turns the saved change into an error page (the failure is logged; the change stands).
Document jobs have their own outbox with a dispatcher (izd.jobs), because a lost job must be
sent again; a lost notification is not worth a queue.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction

logger = logging.getLogger(__name__)


def mail_after_commit(subject: str, body: str, recipients: Iterable[str]) -> None:
    """Send `body` to every distinct non-empty address once the transaction has committed
    (outside a transaction: at once)."""
    to = sorted({address for address in recipients if address})
    if to:
        transaction.on_commit(lambda: _send(subject, body, to))


def _send(subject: str, body: str, to: list[str]) -> None:
    try:
        send_mail(subject, body, None, to)
    except Exception:
        logger.exception("Mail %r to %d recipients not sent", subject, len(to))
