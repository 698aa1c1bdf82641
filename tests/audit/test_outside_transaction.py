"""Without the test's own transaction: recording refuses to write outside the change's."""

from __future__ import annotations

import pytest

from izd.audit import recording
from izd.audit.models import AuditEntry


def test_an_entry_outside_a_transaction_is_refused(portal, committed):
    with committed():
        before = AuditEntry.objects.count()
        with pytest.raises(RuntimeError, match="Transaktion"):
            recording.record(action="x", kind=recording.Kind.MONEY, summary="ohne Transaktion")
        assert AuditEntry.objects.count() == before
