# The bot's image: one image, one process per container (web, worker, clock in compose.yaml).
# Installs exactly the pinned versions of requirements.txt (the lock file `make lock` writes),
# then the project itself without resolving anything again.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN useradd --create-home --uid 10001 --user-group smallcaps
WORKDIR /app

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY pyproject.toml README.md ./
COPY analytics ./analytics
COPY bot ./bot
COPY handlers ./handlers
RUN pip install --no-deps . && rm -rf build *.egg-info

USER smallcaps
# Each container is its own host: without REDIS_URL the processes would not share state, so
# long-running commands refuse to start (SMALLCAPS_ALLOW_EMBEDDED_REDIS=1 overrides).
ENV SMALLCAPS_CONTAINER=1 \
    SMALLCAPS_STATE_DIR=/home/smallcaps/state \
    PORT=3000
EXPOSE 3000

# /healthz answers 200 only when Redis answers (503 otherwise, and while stopping); `serve`
# listens on $PORT for it in Socket Mode too.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3000'), timeout=4)"]

CMD ["smallcaps", "serve"]
