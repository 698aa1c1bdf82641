"""Keep the file names of an upload as the browser sent them.

Django's multipart parser quietly cuts path parts and drops control characters from a file
name. The exchange refuses such names with a message instead (a name like "../../x.pdf" or one
with a right-to-left override is a sign of a tampered upload), so it needs the raw name. Django
documents changing upload handling per view for exactly this: exempt the view from the CSRF
middleware (which parses the body first), swap the parser, then run the view CSRF-protected.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest
from django.http.multipartparser import MultiPartParser
from django.views.decorators.csrf import csrf_exempt, csrf_protect

ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])
RAW_NAMES_ATTRIBUTE = "raw_file_names"


class _RawNameParser(MultiPartParser):
    raw_names: list[str]

    def sanitize_file_name(self, file_name: str) -> str | None:
        self.raw_names.append(html.unescape(file_name))
        return super().sanitize_file_name(file_name)


def keep_raw_file_names(view: ViewFunc) -> ViewFunc:
    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        raw_names: list[str] = []

        def parse(meta: Any, post_data: Any) -> Any:
            parser = _RawNameParser(meta, post_data, request.upload_handlers, request.encoding)
            parser.raw_names = raw_names
            return parser.parse()

        request.parse_file_upload = parse  # type: ignore[method-assign,assignment]
        setattr(request, RAW_NAMES_ATTRIBUTE, raw_names)
        return csrf_protect(view)(request, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def raw_file_name(request: HttpRequest, fallback: str) -> str:
    """The name the browser sent for the (single) uploaded file."""
    names: list[str] = getattr(request, RAW_NAMES_ATTRIBUTE, [])
    return names[-1] if names else fallback
