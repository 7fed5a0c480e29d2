# Switchyard gateway image. The local GGUF model is mounted at run time (see docker-compose.yml),
# never baked in.
FROM node:20-bookworm-slim

WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080

COPY package.json package-lock.json .npmrc ./
# Dev dependencies are only the test runner and type checker; tsx (the runtime loader) is a dependency.
# Not `npm ci`: node-llama-cpp lists optional binaries for other platforms that the lock file does not
# carry, and `npm ci` refuses such a lock; `npm install` follows it for everything it has (as .ci/run).
# The GPU builds of llama.cpp (≈600 MB) go: the gateway runs it on the CPU (getLlama({ gpu: false })).
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force \
    && rm -rf node_modules/@node-llama-cpp/*-cuda* node_modules/@node-llama-cpp/*-vulkan*

COPY src ./src
COPY routes ./routes
COPY classifiers ./classifiers
COPY policies ./policies
COPY tsconfig.json ./

USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# SIGTERM reaches node directly (no npm wrapper), so graceful shutdown runs.
CMD ["node", "--import", "tsx", "src/main.ts", "serve"]
