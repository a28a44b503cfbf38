"""Writing the audit log (state changes) and the access log (reads of personal data)."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType

from accounts.models import AccessLog, AuditEntry


def log_action(obj, action: str, actor=None, reason: str = "", **data) -> AuditEntry:
    """Record a state change of ``obj``. Call it inside the service's transaction."""
    return AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason or "",
        data=data,
    )


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
    """Log that ``user`` saw a list or export of personal data: one row, with the ids."""
    ids = list(ids)
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        subject_type=model._meta.label_lower,
        subject_id="",
        detail=(detail + " ids=" + ",".join(str(i) for i in ids[:60]))[:500],
        count=len(ids),
        ip=_client_ip(request),
    )
