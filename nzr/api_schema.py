"""OpenAPI schema generation: every operation documents the errors it can answer.

drf-spectacular documents only the success answer of an operation. The API also answers,
in the contract's shapes (accounts/api_errors.py):

- 400 field errors ``{"field": ["message", ...]}`` when it reads a body or query parameters;
- 401 without (valid) credentials, 403 for a role that may not act or staff without MFA;
- 404 for an object that does not exist or is outside the caller's scope, a page beyond
  the end of a list, or an API URL that matches no route (nzr/views.py);
- 409 for a conflict of state on a write;
- 415 for a body in a media type the operation does not read;
- 429 when the caller's rate limit holds.

Found by fuzzing the API with schemathesis (tests/fuzz/): a client generated from the
schema must know every answer it can get. Optional query parameters are marked
``allowEmptyValue``: an empty filter is no filter. An explicit ``@extend_schema(responses=...)``
entry for a code wins over these defaults.
"""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# An optional filter given empty (``?status=``, as a GET form sends it) means "no filter":
# django-filter and DRF serializers skip it; an empty ``page`` is the first page.
NOT_EMPTY: set[str] = set()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="A stable code, e.g. mfa_required.")


# Field errors: each key is a field (or non_field_errors) with a list of messages; a nested
# list or object for nested fields; "code" names a domain error.
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {},
    "description": 'Field errors: {"field": ["message", ...]}',
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: field errors.",
    "401": "Not signed in: no or an invalid token.",
    "403": "The caller's role may not do this, or a staff role without two-step verification.",
    "404": "Not found, or outside the caller's scope.",
    "409": "Conflict of state.",
    "415": "Unsupported media type.",
    "429": "Too many requests.",
}


class AutoSchema(BaseAutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if (
                parameter["in"] == "query"
                and not parameter.get("required")
                and parameter["name"] not in NOT_EMPTY
            ):
                parameter["allowEmptyValue"] = True
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code not in responses:
                body = FIELD_ERRORS if code == "400" else ErrorSerializer
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(body, description=ERROR_DESCRIPTIONS[code]), code
                )
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _error_codes(self, operation) -> list[str]:
        parameters = operation.get("parameters", [])
        # 404 everywhere: a missing or hidden object, a page past the end, /me/ without a
        # reservist record.
        codes = ["404", "429"]
        if parameters or "requestBody" in operation:
            codes.append("400")
        if not all(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            codes += ["401", "403"]
        if self.method in WRITE_METHODS:
            codes.append("409")
        if "requestBody" in operation:
            codes.append("415")
        return codes
