import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nzr.settings")
application = get_wsgi_application()


def _load_what_requests_load():
    """Import and build now what the first requests would: every view (the URL
    patterns import them), the cache client, the translation catalogs."""
    from django.conf import settings
    from django.core.cache import caches
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver()._populate()
    getattr(caches["default"], "client", None)  # django-redis builds its client (and imports redis)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Register")


# What loading the application made (modules, models, views, URL patterns,
# translations: about 160,000 objects) lives as long as the worker. Frozen, the garbage
# collector's full collections no longer walk it: a full collection in the middle of a
# request took 90 ms before, 25-30 ms frozen (bench/results.md, register search). What
# is loaded only by the first requests (views, the cache client) grew the walked part
# back to 60,000 objects and the full collections to 110 ms: it is loaded before too.
_load_what_requests_load()
gc.collect()
gc.freeze()
