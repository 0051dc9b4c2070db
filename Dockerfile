# syntax=docker/dockerfile:1
# aetnet: the service (Node 20) and the trainer (Python 3.11) in one image.
#   CPU (default):  docker build -t aetnet .
#   CUDA:           docker build --build-arg AETNET_TARGET=cuda -t aetnet:cuda .
#                   docker run --gpus all -e AETNET_EXECUTION_PROVIDERS=cuda,cpu -p 3000:3000 aetnet:cuda
ARG AETNET_TARGET=cpu

# ---- build: compile TypeScript with dev dependencies -------------------------------------------
FROM node:20-bookworm-slim AS build
ARG AETNET_TARGET
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts ./scripts
RUN if [ "$AETNET_TARGET" = "cuda" ]; then export ONNXRUNTIME_NODE_INSTALL=cuda12; else export ONNXRUNTIME_NODE_INSTALL=skip; fi \
 && npm ci --no-audit --no-fund --foreground-scripts \
 && if [ "$AETNET_TARGET" = "cuda" ]; then node node_modules/onnxruntime-node/script/install; fi
COPY tsconfig.json nest-cli.json ./
COPY src ./src
COPY test ./test
RUN npm run build && npm prune --omit=dev

# ---- runtime -------------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS runtime
ARG AETNET_TARGET
RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv python3-pip \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY trainer ./trainer
# The trainer's environment: CPU torch by default, CUDA 12 torch for the cuda target.
RUN python3 -m venv .venv \
 && if [ "$AETNET_TARGET" = "cuda" ]; then \
      .venv/bin/pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cu126; \
    else \
      .venv/bin/pip install --no-cache-dir torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu; \
    fi \
 && .venv/bin/pip install --no-cache-dir ./trainer
# The MPNet start of the mpnet presets (tuning jobs); ~400 MB, checksummed.
COPY scripts/fetch-mpnet.sh scripts/fetch-ppocr.sh ./scripts/
RUN AETNET_CACHE=/app/cache bash scripts/fetch-mpnet.sh
# The PP-OCR engine's models (AETNET_OCR_ENGINE=ppocr); ~38 MB, checksummed.
RUN AETNET_CACHE=/app/cache bash scripts/fetch-ppocr.sh
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY models ./models
COPY docs ./docs
ENV NODE_ENV=production PORT=3000 AETNET_PYTHON=/app/.venv/bin/python AETNET_CACHE=/app/cache
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["node", "dist/src/main.js"]
