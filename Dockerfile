# syntax=docker/dockerfile:1
# KMS application image: the web server (gunicorn), the Celery worker and beat, and the
# one-shot `migrate` job of docker-compose.yml all run this image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=kms.settings.production \
    KMS_DATA_DIR=/data

RUN groupadd --system --gid 10001 kms \
    && useradd --system --uid 10001 --gid kms --create-home --home-dir /home/kms \
       --shell /usr/sbin/nologin kms

WORKDIR /app

# Dependencies first, so editing the code does not reinstall them. Every wheel these
# pins resolve to is a manylinux/pure-Python wheel: no compiler is needed in the image.
COPY requirements.txt requirements.lock ./
RUN pip install --no-cache-dir -r requirements.txt -c requirements.lock

# The code belongs to root and is only readable by the service user.
COPY . .

# KMS_DATA_DIR (SQLite file when unused, media uploads, static files, the Celery beat
# schedule) is the only place the service user writes.
RUN mkdir -p /data && chown kms:kms /data
USER kms

# Static files are collected into the image (STATIC_ROOT, /app/staticfiles) at build
# time and served by whitenoise. The production settings refuse to load without
# SECRET_KEY (of at least 50 characters), DATABASE_URL and ALLOWED_HOSTS, so this step
# alone gets throw-away values; collectstatic opens no database connection and signs
# nothing. Uploaded media under /data/media are meant to be served by a reverse proxy in
# front of gunicorn.
RUN SECRET_KEY=collectstatic-build-only-throw-away-key-never-used-at-run-time \
    DATABASE_URL=sqlite:////tmp/collectstatic.sqlite3 \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && rm -f /tmp/collectstatic.sqlite3

VOLUME ["/data"]
EXPOSE 8000

CMD ["gunicorn", "kms.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60"]
