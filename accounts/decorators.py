from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from accounts.scope import scope_of


def role_required(*predicates: str):
    """Let in signed-in users whose scope has one of ``predicates`` (e.g. "is_national").

    Objects outside the user's scope are filtered by ``visible_to`` and give 404;
    this decorator only decides whether the page itself is open to the role (403).
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            scope = scope_of(request.user)
            if not any(getattr(scope, p) for p in predicates):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


class RoleRequiredMixin:
    """Class-based views: ``roles = ("is_national", "is_regional")``."""

    roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        scope = scope_of(request.user)
        if not any(getattr(scope, p) for p in self.roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
