# privacy-triage: one image for every role (watcher, worker, web, Slack), run as a non-root user.
# Build: docker build -t privacy-triage .
# Run:   docker run --env-file triage.env -v ./config.toml:/etc/privacy-triage/config.toml:ro \
#          -p 8025:8025 privacy-triage run
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY classifier ./classifier
COPY replies ./replies
# The shipped model (classifier/model/) is package data: it is inside the wheel.
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[postgres]"

FROM python:3.11-slim
RUN useradd --system --uid 10001 --home-dir /var/lib/privacy-triage --create-home triage
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER triage
WORKDIR /var/lib/privacy-triage
ENV PRIVACY_TRIAGE_CONFIG=/etc/privacy-triage/config.toml \
    PYTHONUNBUFFERED=1
EXPOSE 8025
# /healthz answers 200 while the process is alive; slim images have no curl, so ask Python.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8025/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["privacy-triage"]
CMD ["run"]
