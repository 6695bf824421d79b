# contractbot: the bot, the acceptance page and /health in one image.
#   docker build -t contractbot .            (or: podman build -t contractbot .)
#   docker compose up -d                     (compose.yaml: the bot and PostgreSQL)
# PYTHON_IMAGE can point at a mirror or a locally built Debian/Python 3.11 image.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm
FROM ${PYTHON_IMAGE}

# WeasyPrint's system libraries: Pango (text layout) with HarfBuzz, HarfBuzz's subsetter (fonts
# embedded in each PDF are subset about five times faster than with fontTools alone),
# Fontconfig and the DejaVu fonts the contract templates name.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        libfontconfig1 fonts-dejavu-core shared-mime-info tzdata \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/contractbot \
    PATH=/opt/contractbot/bin:$PATH

# Dependencies first (a layer that survives code edits), then the code. The package is
# installed in place (-e): templates/ sits beside bot/ and is found relative to it.
WORKDIR /app
COPY pyproject.toml README.md ./
RUN python3 -m venv "$VIRTUAL_ENV" \
    && mkdir -p bot conversations storage \
    && pip install . \
    && pip uninstall -y contractbot
COPY bot ./bot
COPY conversations ./conversations
COPY storage ./storage
COPY templates ./templates
RUN pip install --no-deps -e . \
    && python -m compileall -q bot conversations storage

RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/contractbot \
        --shell /usr/sbin/nologin contractbot \
    && mkdir -p /var/lib/contractbot \
    && chown contractbot:contractbot /var/lib/contractbot
USER contractbot

# SQLite database (when DATABASE_URL is not set), PDF cache and backups live here.
ENV CONTRACTBOT_DATA_DIR=/var/lib/contractbot \
    WEB_HOST=0.0.0.0 \
    WEB_PORT=8080
VOLUME ["/var/lib/contractbot"]
EXPOSE 8080

# /health answers 200 when the database does (the standby too, with "role": "standby").
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('WEB_PORT', '8080')}/health\", timeout=4)"]

# `run` applies pending migrations itself once it is the active instance.
CMD ["contractbot", "run"]
