"""Writing the audit log (state changes) and the access log (reads of personal data)."""

import functools
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from accounts import sql
from accounts.models import AccessLog, AuditEntry
from nzr import fastsql


def log_action(obj, action: str, actor=None, reason: str = "", **data) -> AuditEntry:
    """Record a state change of ``obj``. Call it inside the service's transaction."""
    return log_actions(actor, [(obj, action, data)], reason)[0]


def log_actions(actor, changes, reason: str = "") -> list[AuditEntry]:
    """Record several state changes by one actor, ``(obj, action, data)`` each, in one
    INSERT (a prepared statement: ``nzr.fastsql``; the booking writes two per accept)."""
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    now = timezone.now()
    entries = [
        AuditEntry(
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
            object_id=str(obj.pk),
            action=action,
            actor_id=actor_id,
            at=now,
            reason=reason or "",
            data=data,
        )
        for obj, action, data in changes
    ]
    return fastsql.bulk_create(entries)


def history_of(obj):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    ).select_related("actor")


def _client_ip(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def log_read(request, user, subject, action: str = AccessLog.Action.VIEW, detail: str = ""):
    """Log that ``user`` read the personal data of one ``subject`` (a model instance)."""
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        subject_type=subject._meta.label_lower,
        subject_id=str(subject.pk),
        detail=detail[:500],
        ip=_client_ip(request),
    )


def log_list(request, user, model, ids: Iterable, action=AccessLog.Action.LIST, detail: str = ""):
    """Log that ``user`` saw a list or export of personal data: one entry that names
    every person shown (``AccessLogSubject`` rows, however many: an export of 100,000
    reservists names them all), ``count`` the rows shown. Two INSERTs, whatever the
    number of ids (``accounts.sql.insert_subjects``)."""
    ids = [str(i) for i in ids]
    entry = AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        subject_type=model._meta.label_lower,
        subject_id="",
        detail=detail[:500],
        count=len(ids),
        ip=_client_ip(request),
    )
    sql.insert_subjects(entry, list(dict.fromkeys(ids)))
    return entry


def log_subjects(request, user, model, ids: Iterable, action=AccessLog.Action.VIEW, detail=""):
    """Log that ``user`` saw the data of the ``model`` rows ``ids`` on one page: a read of
    one person (``subject_id`` set, as ``log_read``) or, for several, a list entry that
    names them all. Nothing is written for no ids."""
    ids = list(dict.fromkeys(str(i) for i in ids if i is not None))
    if not ids:
        return None
    if len(ids) > 1:
        return log_list(request, user, model, ids, action, detail)
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        subject_type=model._meta.label_lower,
        subject_id=ids[0][:64],
        detail=detail[:500],
        ip=_client_ip(request),
    )


def reads_of(subject) -> "QuerySet[AccessLog]":
    """Every access-log entry that names ``subject`` (a model instance): its own reads
    and the lists and exports it was in. For "who read my data"."""
    return AccessLog.objects.naming(subject._meta.label_lower, subject.pk)


@functools.cache
def _model_labels() -> dict[str, str]:
    from django.apps import apps

    labels: dict[str, str] = {}
    for model in apps.get_models():
        labels.setdefault(model._meta.model_name, model._meta.label_lower)
    return labels


def _subject_of_view(request) -> tuple[str, str]:
    """What a request aimed at: a model label (or the URL name) and the object id, if any.

    The model comes from the view's ``model``/``queryset`` or from the URL name's first
    word ("reservist-detail", "reservist_detail" -> registry.reservist)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "", ""
    kwargs = match.kwargs or {}
    object_id = kwargs.get("pk") or kwargs.get("id") or next(iter(kwargs.values()), "")
    view = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    model = getattr(view, "model", None)
    queryset = getattr(view, "queryset", None)
    if model is None and queryset is not None:
        model = queryset.model
    if model is not None:
        label = model._meta.label_lower
    else:
        word = (match.url_name or "").replace("-", "_").split("_")[0]
        label = _model_labels().get(word, match.view_name or "")
    return label[:64], str(object_id)[:64]


def log_denied(
    request,
    *,
    status_code: int | None,
    reason: str = "",
    user=None,
    subject_type: str = "",
    subject_id: str = "",
) -> AccessLog:
    """Log a refused access: who (if known), what (method, path, object), when, why.

    ``user`` defaults to the request's user (after DRF's token authentication, the
    token's user). Never pass secrets in ``reason``: it is stored as it is.
    """
    if user is None:
        user = getattr(request, "user", None)
    if not subject_type and not subject_id:
        subject_type, subject_id = _subject_of_view(request)
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=AccessLog.Action.DENIED,
        subject_type=subject_type[:64],
        subject_id=str(subject_id)[:64],
        detail=reason[:500],
        ip=_client_ip(request),
        method=(getattr(request, "method", "") or "")[:8],
        path=(getattr(request, "path", "") or "")[:300],
        status_code=status_code,
    )
