from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from accounts import urls as accounts_urls
from accounts import views as accounts_views
from dashboard import urls as dashboard_urls
from escalation import urls as escalation_urls
from nzr.api_docs import DocsView, SchemaView
from nzr.bounds import bound_admin_dates
from nzr.health import health
from regions import urls as regions_urls
from registry import urls as registry_urls
from requests_app import urls as requests_urls
from training import urls as training_urls

# The admin login goes through allauth: its rate limits and MFA apply.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Nationale Zorgreserve – beheer"
admin.site.site_title = "NZR beheer"
bound_admin_dates(admin.site)

API_APPS = [
    accounts_urls,
    registry_urls,
    training_urls,
    regions_urls,
    escalation_urls,
    requests_urls,
    dashboard_urls,
]

# Schema and docs: signed-in users only in production (NZR_API_DOCS_PUBLIC, nzr.api_docs).
api_v1 = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
]
for module in API_APPS:
    api_v1 += getattr(module, "api_urlpatterns", [])

urlpatterns = [
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    # allauth's login with a 429 when the failed-login limit holds (see accounts.views).
    path("accounts/login/", accounts_views.login, name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("privacy/", TemplateView.as_view(template_name="privacy.html"), name="privacy"),
    path("", include(accounts_urls)),
    path("register/", include(registry_urls)),
    path("training/", include(training_urls)),
    path("region/", include(regions_urls)),
    path("escalation/", include(escalation_urls)),
    path("requests/", include(requests_urls)),
    path("", include(dashboard_urls)),
]

handler404 = "nzr.views.not_found"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
