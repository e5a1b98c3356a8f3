# dreambot: the bot, the gallery and the engine in one image.
#
# CPU by default. For NVIDIA GPUs, start from an image that already has CUDA and PyTorch:
#   docker build -t dreambot:cuda \
#     --build-arg BASE_IMAGE=pytorch/pytorch:2.5.1-cuda12.4-cudnn9-runtime \
#     --build-arg TORCH_INDEX= .
ARG BASE_IMAGE=python:3.11-slim
FROM ${BASE_IMAGE}

# Where the CPU build of PyTorch comes from; empty to keep the base image's own PyTorch.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DREAMBOT_DATABASE_URL=sqlite:////data/dreambot.sqlite3 \
    DREAMBOT_MEDIA_DIR=/data/media \
    DREAMBOT_WEB_HOST=0.0.0.0 \
    TORCH_HOME=/data/torch

WORKDIR /app
RUN if [ -n "$TORCH_INDEX" ]; then \
        pip install --index-url "$TORCH_INDEX" "torch>=2.4" "torchvision>=0.19"; \
    fi

COPY pyproject.toml README.md ./
COPY engine engine
COPY bot bot
COPY migrations migrations
RUN pip install .

RUN useradd --create-home dreambot && mkdir -p /data && chown dreambot /data
USER dreambot
VOLUME /data
EXPOSE 8080

CMD ["sh", "-c", "dreambot db upgrade && exec dreambot -v serve"]
