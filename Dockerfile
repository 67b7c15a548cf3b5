# WaggleBot image: one image runs the web server, the default cluster and (built with
# REQUIREMENTS=gpu) the gpu cluster. docker-compose.yml wires them together.
ARG PYTHON_IMAGE=python:3.12-slim-bookworm

FROM ${PYTHON_IMAGE} AS wheels
ARG REQUIREMENTS=base
# mysqlclient ships no Linux wheels: compile it here so the runtime image carries no compiler.
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential pkg-config libmariadb-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements/ /requirements/
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r /requirements/${REQUIREMENTS}.txt

FROM ${PYTHON_IMAGE}
ARG REQUIREMENTS=base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MEDIA_ROOT=/data/media \
    METRICS_DIR=/data/metrics \
    STATIC_ROOT=/app/staticfiles \
    HF_HOME=/data/models
# ffmpeg renders, espeak-ng speaks offline, fonts-nanum draws Korean captions, chromium renders
# pages the crawler cannot read as HTML; mariadb-client and rsync serve scripts/backup.sh.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        ffmpeg espeak-ng fonts-nanum chromium sox libmariadb3 mariadb-client rsync \
    && rm -rf /var/lib/apt/lists/*
COPY --from=wheels /wheels /wheels
COPY requirements/ /requirements/
RUN pip install --no-cache-dir --no-index --find-links /wheels -r /requirements/${REQUIREMENTS}.txt \
    && rm -rf /wheels
WORKDIR /app
COPY . .
# Static files are collected at build time; whitenoise serves them from STATIC_ROOT. The key
# exists only for this command: settings refuse to load without one while DEBUG is off.
RUN ENV_FILE=/dev/null SECRET_KEY=collectstatic-only-not-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home-dir /app wagglebot \
    && mkdir -p /data/media /data/metrics /data/models /data/secrets \
    && chown -R wagglebot:wagglebot /data
USER wagglebot
EXPOSE 8000
CMD ["gunicorn", "wagglebot.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
