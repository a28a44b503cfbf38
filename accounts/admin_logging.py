"""The access log of the Django admin: every admin page that shows a person logs it.

A person is a reservist, a candidate or a user account (``PERSON_MODELS``: labels, so
this lowest app imports none of the apps above it). An admin class that shows people
inherits ``PersonalDataAdminMixin`` and so logs, through ``accounts.audit``:

- its change list: one list entry per kind of person with every person on the page;
- its change (or view-only) page and history page: the people of that object, its
  inlines included; a delete confirmation (also of "delete selected"): every person
  among the rows it lists and every person they refer to;
- the admin's autocomplete (it answers with names): the people it answered with
  (``LoggingAutocompleteJsonView``, installed on the admin site by ``install``).

Which people a row shows is found from the model (``person_paths`` may name them
instead): the row itself if it is a person, and every foreign key to a person; a change
page adds its inlines' foreign keys to a person. So a foreign key to a person added
later is logged without anyone remembering to. On the change form such a key gets an
autocomplete widget: a plain select would list every user's name.

Not logged: Django's own history of admin edits names the staff who edited (admin
users), and the escalation "change log" tables name the coordinators and triangle
members who acted; both are the staff's own work record, not a read of a person's data.
tests/accounts/test_admin_access_log.py walks every registered admin model and fails
where a page shows a planted reservist's name without an access-log entry.
"""

from django.contrib.admin.utils import NestedObjects
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import ChangeList
from django.db import router
from django.db.models import ForeignKey, OneToOneField
from django.db.models.constants import LOOKUP_SEP
from django.forms.models import _get_foreign_key

from accounts.audit import log_list, log_subjects
from accounts.models import AccessLog

PERSON_MODELS = frozenset({"accounts.user", "registry.reservist", "regions.candidate"})


def _is_person(model) -> bool:
    return model is not None and model._meta.label_lower in PERSON_MODELS


def _person_keys(model) -> list[str]:
    """The names of ``model``'s foreign keys to a person."""
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, ForeignKey | OneToOneField) and _is_person(f.related_model)
    ]


def _target(model, path: str):
    """The model that ``path`` (``pk``, ``reservist``, ``signups__reservist``) leads to."""
    if path == "pk":
        return model
    for name in path.split(LOOKUP_SEP):
        model = model._meta.get_field(name).related_model
    return model


class PersonalDataAdminMixin:
    """Logs every read of a person's data in this admin (see the module's docstring).

    ``person_paths``: the paths from a row to the people a change list shows (``"pk"``
    for the row itself); ``None`` finds them (the row if it is a person, and the foreign
    keys to a person that ``list_display`` shows). ``object_person_paths``: the same for
    a change page; ``None`` finds them (the row and every foreign key to a person); a
    change page adds the people of its inlines (``inline_people``). ``person_selects``: foreign keys to a person whose
    form field lists a few staff members only, kept as a select instead of an
    autocomplete."""

    person_paths: tuple[str, ...] | None = None
    object_person_paths: tuple[str, ...] | None = None
    person_selects: tuple[str, ...] = ()  # keys to a person kept as a select (few choices)

    # --- which people -------------------------------------------------------------------

    def get_person_paths(self) -> list[str]:
        if self.person_paths is not None:
            return list(self.person_paths)
        shown = set(self.list_display)
        paths = ["pk"] if _is_person(self.model) else []
        return paths + [name for name in _person_keys(self.model) if name in shown]

    def get_object_person_paths(self) -> list[str]:
        if self.object_person_paths is not None:
            return list(self.object_person_paths)
        return (["pk"] if _is_person(self.model) else []) + _person_keys(self.model)

    def inline_people(self, objs) -> dict:
        """``{person model: [ids]}`` of the people in the inlines of ``objs`` (one query
        per foreign key to a person of an inline; the inline's own key to a person that
        is the page's row is no one else)."""
        people: dict = {}
        pks = [o.pk for o in objs]
        for inline in self.inlines:
            fk = _get_foreign_key(self.model, inline.model, fk_name=inline.fk_name)
            rows = inline.model._base_manager.filter(**{f"{fk.name}__in": pks})
            for name in _person_keys(inline.model):
                if name == fk.name:
                    continue
                target = inline.model._meta.get_field(name).related_model
                ids = rows.exclude(**{f"{name}__isnull": True}).values_list(name, flat=True)
                people.setdefault(target, []).extend(ids)
        return people

    def people_of(self, objs, paths) -> dict:
        """``{person model: [ids]}`` of the people that ``paths`` lead to from ``objs``.
        The row itself and its own foreign keys cost no query; a longer path one."""
        objs = [o for o in objs if o is not None]
        people: dict = {}
        for path in paths:
            target = _target(self.model, path)
            if path == "pk":
                ids = [o.pk for o in objs]
            elif LOOKUP_SEP not in path:
                attname = self.model._meta.get_field(path).attname
                ids = [getattr(o, attname) for o in objs]
            else:
                ids = list(
                    self.model._base_manager.filter(pk__in=[o.pk for o in objs])
                    .exclude(**{f"{path}__isnull": True})
                    .values_list(path, flat=True)
                )
            people.setdefault(target, []).extend(i for i in ids if i is not None)
        return people

    # --- logging ------------------------------------------------------------------------

    def _detail(self, view: str, obj=None) -> str:
        what = self.model._meta.label_lower
        return f"admin: {view} {what}" + (f" {obj.pk}" if obj is not None else "")

    def log_object_read(self, request, obj, view: str) -> None:
        """Log the people of ``obj`` that its ``view`` page showed."""
        people = self.people_of([obj], self.get_object_person_paths())
        for model, ids in self.inline_people([obj]).items():
            people.setdefault(model, []).extend(ids)
        for model, ids in people.items():
            log_subjects(
                request, request.user, model, ids, AccessLog.Action.VIEW, self._detail(view, obj)
            )

    def log_rows(self, request, objs, view: str) -> None:
        """Log the people of the rows ``objs`` of a list (change list, autocomplete)."""
        objs = list(objs)
        if not objs:
            return
        for model, ids in self.people_of(objs, self.get_person_paths()).items():
            if ids:
                log_list(request, request.user, model, ids, detail=self._detail(view))

    def log_autocomplete(self, request, objs) -> None:
        self.log_rows(request, objs, "autocomplete")

    # --- the views ----------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", None) or {}
        changelist = changelist.get("cl")
        if isinstance(changelist, ChangeList):
            self.log_rows(request, changelist.result_list, "change list")
        return response

    def _log_context_object(self, request, response, key: str, view: str):
        obj = (getattr(response, "context_data", None) or {}).get(key)
        if obj is not None and getattr(obj, "pk", None) is not None:
            self.log_object_read(request, obj, view)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        return self._log_context_object(request, response, "original", "change view")

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        return self._log_context_object(request, response, "object", "history")

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        obj = (getattr(response, "context_data", None) or {}).get("object")
        if obj is not None:
            self.log_deletion_read(request, [obj], "delete confirmation")
        return response

    def log_deletion_read(self, request, objs, view: str) -> None:
        """A delete confirmation lists the rows that would go with ``objs`` and the rows
        that forbid it (by their names): log every person among them, and every person
        they refer to (a training record names its reservist)."""
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)
        rows = [o for found in collector.model_objs.values() for o in found]
        people: dict = {}
        for row in [*rows, *collector.protected]:
            if _is_person(type(row)):
                people.setdefault(type(row)._meta.concrete_model, []).append(row.pk)
            for name in _person_keys(type(row)):
                field = row._meta.get_field(name)
                people.setdefault(field.related_model, []).append(getattr(row, field.attname))
        for model, ids in people.items():
            log_subjects(
                request, request.user, model, ids, AccessLog.Action.VIEW, self._detail(view)
            )

    def response_action(self, request, queryset):
        """The "delete selected" action's confirmation lists the rows as well."""
        response = super().response_action(request, queryset)
        if (getattr(response, "context_data", None) or {}).get("queryset") is not None:
            self.log_deletion_read(request, list(response.context_data["queryset"]), "delete")
        return response

    def get_autocomplete_fields(self, request):
        """The foreign keys to a person as autocomplete: a select would list everyone."""
        fields = list(super().get_autocomplete_fields(request))
        raw = set(self.raw_id_fields) | set(self.person_selects)
        return fields + [n for n in _person_keys(self.model) if n not in raw and n not in fields]


class LoggingAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete, which logs the people it answers with: it calls the
    answering admin's ``log_autocomplete`` (``PersonalDataAdminMixin``) with the page."""

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        log = getattr(self.model_admin, "log_autocomplete", None)
        if log is not None:
            context["object_list"] = objs = list(context["object_list"])
            log(self.request, objs)
        return context


def install(site) -> None:
    """Serve ``site``'s autocomplete through ``LoggingAutocompleteJsonView`` (its URL is
    built from ``site.autocomplete_view`` when the URLconf loads, after the admin
    modules were imported)."""

    def autocomplete_view(request):
        return LoggingAutocompleteJsonView.as_view(admin_site=site)(request)

    site.autocomplete_view = autocomplete_view
