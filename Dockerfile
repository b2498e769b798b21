# nnlive: docker build -t nnlive . && docker run -p 8000:8000 nnlive
FROM python:3.11-slim

# One BLAS thread per process: scale with processes (NNLIVE_WORKERS / replicas), not threads.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OPENBLAS_NUM_THREADS=1 \
    OMP_NUM_THREADS=1

WORKDIR /srv/nnlive
COPY pyproject.toml README.md ./
COPY core ./core
COPY app ./app
COPY exports ./exports
COPY templates ./templates
COPY static ./static

# The pages are served from this tree, so the package is installed in place.
RUN pip install -e . \
    && useradd --system --no-create-home --uid 10001 nnlive \
    && mkdir -p /srv/nnlive/data && chown nnlive /srv/nnlive/data
# /srv/nnlive/data: for uploaded datasets, with NNLIVE_DATA_DIR and a volume (deployment.md)

USER nnlive
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["nnlive", "serve", "--host", "0.0.0.0", "--port", "8000"]
