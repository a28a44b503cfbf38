from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class DutchFirstLocaleMiddleware(LocaleMiddleware):
    """Pages are Dutch unless the person chose English (language switch cookie).

    The browser's Accept-Language is not used for pages: a Dutch government
    service speaks Dutch first, also on a laptop set to English. The API does
    follow Accept-Language (nl or en), as the API contract says.
    """

    def process_request(self, request):
        if request.path.startswith("/api/"):
            return super().process_request(request)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
