"""What every app's views share about answering a request."""

from __future__ import annotations

from typing import TypeVar

from django.http import Http404

Found = TypeVar("Found")


def found_or_404(value: Found | None, message: str) -> Found:
    """What a selector found, or a 404 with the German `message` where it found nothing."""
    if value is None:
        raise Http404(message)
    return value
