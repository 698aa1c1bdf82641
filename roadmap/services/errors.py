"""The error every write of roadmap refuses with."""

from __future__ import annotations

from izd.exceptions import PortalError


class RoadmapError(PortalError):
    """A refused write; the message is German and shown to the user, `status` is the HTTP code."""
