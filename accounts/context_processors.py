from accounts.scope import scope_of


def navigation(request):
    """The user's scope, so that the base layout shows the right menu."""
    return {"nzr_scope": scope_of(getattr(request, "user", None))}
