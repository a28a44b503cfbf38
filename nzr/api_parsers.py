"""The API's JSON parser: refuses NUL characters and deep nesting (found by fuzzing).

PostgreSQL text cannot hold U+0000; a NUL in a looked-up value (a municipality code)
reached the database and answered 500. No field of the API has a use for it (the
``nzr.middleware.RefuseNULMiddleware`` refuses it even before, for pages too).

No body of the API nests deeper than a few levels (a request with its shifts and
ladder); ``[[[[...]]]]`` a thousand deep made Python's JSON decoder, or any recursive
walk after it, raise RecursionError, a 500. The decoder's RecursionError is caught, and
the decoded value is walked with a stack, not by recursion, to check depth and NUL.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as BaseJSONParser

MAX_DEPTH = 20
TOO_DEEP = _("JSON nested too deeply (at most %(depth)s levels).")
HAS_NUL = _("Text may not contain NUL characters (\\u0000).")


def check(value) -> None:
    """Raise ParseError when the value nests deeper than MAX_DEPTH or holds a NUL."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise ParseError(HAS_NUL)
            continue
        if isinstance(item, dict):
            children = [*item.keys(), *item.values()]
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > MAX_DEPTH:
            raise ParseError(TOO_DEEP % {"depth": MAX_DEPTH})
        stack.extend((child, depth + 1) for child in children)


class JSONParser(BaseJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(TOO_DEEP % {"depth": MAX_DEPTH}) from None
        check(data)
        return data
