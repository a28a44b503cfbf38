"""Refuse NUL characters at the edge, before any view or query sees them.

PostgreSQL text cannot hold U+0000: ``/region/?region=%00``, an admin filter or a form
field with a NUL reached the database and answered 500 (DataError). No parameter or
field of the platform has a use for it, so a request with a NUL in its query string, in
a form-encoded or multipart field, or in a JSON body (a raw NUL or a ``\\u0000`` escape)
is answered 400 with a clear message: a JSON body under /api/, a page elsewhere. A NUL
in the URL path (``/api/v1/courses/%00/``) names nothing: 404.

Uploaded files are not looked into (a spreadsheet holds NUL bytes); their names are.
"""

import re

from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

# A JSON escape \u0000 (any case) that is not itself an escaped backslash: an odd
# number of backslashes before "u0000".
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\[uU]0000")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _contains_nul(request) -> bool:
    if "\x00" in request.META.get("QUERY_STRING", "") or _any_nul(request.GET):
        return True
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    content_type = request.content_type or ""
    # The API reads JSON only and answers a form body 415; reading it here would leave
    # DRF an empty body instead.
    if content_type in _FORM_TYPES and not request.path.startswith("/api/"):
        if _any_nul(request.POST):
            return True
        return any("\x00" in (f.name or "") for f in request.FILES.values())
    if content_type == "application/json" or content_type.endswith("+json"):
        body = request.body
        return b"\x00" in body or _JSON_NUL.search(body) is not None
    return False


def _any_nul(query_dict) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in query_dict.lists()
    )


class RefuseNULMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            raise Http404
        if _contains_nul(request):
            text = _("Text may not contain NUL characters (\\u0000).")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": text, "code": "nul_character"}, status=400)
            return render(request, "400.html", {"message": text}, status=400)
        return self.get_response(request)
