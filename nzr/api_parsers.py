"""The API's JSON parser: refuses text with NUL characters (found by fuzzing, tests/fuzz/).

PostgreSQL text cannot hold U+0000; a NUL in a looked-up value (a municipality code)
reached the database and answered 500. No field of the API has a use for it.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as BaseJSONParser


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class JSONParser(BaseJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if _has_nul(data):
            raise ParseError(_("Text may not contain NUL characters (\\u0000)."))
        return data
