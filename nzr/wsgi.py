import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nzr.settings")
application = get_wsgi_application()

# What loading the application made (modules, models, URL patterns, templates: about
# 110,000 objects) lives as long as the worker. Frozen, the garbage collector's full
# collections no longer walk it: a full collection in the middle of a request took
# 90 ms before, 25-30 ms frozen (bench/results.md, register search).
gc.freeze()
