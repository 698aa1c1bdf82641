"""`path_for_each` gives what `reverse()` gives, one id after the other."""

from __future__ import annotations

from django.urls import reverse, set_urlconf

from izd.links import path_for_each


def test_path_for_each_matches_reverse_for_every_id() -> None:
    set_urlconf("config.urls_public")
    try:
        link = path_for_each("papers:paper")
        for pk in (1, 7, 42, 10_000_000, 918273645546372818):
            assert link(pk) == reverse("papers:paper", args=[pk])
    finally:
        set_urlconf(None)
