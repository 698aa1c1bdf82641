"""A second step for actions that cannot be undone by the person who takes them: the first
POST shows what will happen, the second (with `bestaetigt=ja`) does it. Works without
JavaScript, so it holds under the Content-Security-Policy too."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "bestaetigt"


@dataclass(frozen=True)
class Confirmation:
    title: str
    text: str
    button: str
    action: str
    cancel: str


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == "ja"


def ask(request: HttpRequest, confirmation: Confirmation) -> HttpResponse:
    return render(request, "izd/confirm.html", {"confirm": confirmation})
