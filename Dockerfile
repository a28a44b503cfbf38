# NZR web app image: Django served by gunicorn; the same image runs the
# Celery worker and beat (see docker-compose.yml). Static files are
# collected at build and served by WhiteNoise; no node needed (front-end
# libraries are committed under static/vendor/).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# gettext: compilemessages turns locale/*.po into the .mo files Django reads.
# (Debian's stable package, not pinned: its version follows the base image.)
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies in their own layer, rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .
# The project itself (no package to build: [tool.setuptools] packages = []);
# this also checks that every dependency is installed.
RUN pip install --no-cache-dir . \
    && rm -rf build ./*.egg-info

# Build-time settings only (not kept in the image): production mode, so
# that collectstatic uses the same storage as at run time
# (CompressedManifestStaticFilesStorage writes the manifest that {% static %}
# needs when NZR_PRODUCTION=1). Nothing connects to these addresses.
RUN export NZR_PRODUCTION=1 DJANGO_DEBUG=0 \
        SECRET_KEY=build-only-not-a-secret-build-only-not-a-secret-build-only \
        ALLOWED_HOSTS=build.invalid \
        DATABASE_URL=postgres://build:build@127.0.0.1:1/build \
        CELERY_BROKER_URL=redis://127.0.0.1:1/0 \
        REDIS_URL=redis://127.0.0.1:1/1 \
    && if [ -n "$(find . -path '*/LC_MESSAGES/*.po' -print -quit)" ]; then \
           python manage.py compilemessages --ignore '.venv' --ignore 'staticfiles'; \
       fi \
    && python manage.py collectstatic --noinput

# Run as an unprivileged user; only media/ is writable by it.
RUN groupadd --system --gid 10001 nzr \
    && useradd --system --uid 10001 --gid nzr --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin nzr \
    && mkdir -p /app/media \
    && chown nzr:nzr /app/media
USER 10001:10001

EXPOSE 8000
CMD ["gunicorn", "nzr.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
