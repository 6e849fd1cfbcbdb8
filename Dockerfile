# customer-analytics: a build stage with every dependency (type check, then prune to production
# dependencies), a slim runtime on Node 22 LTS that runs the TypeScript sources with tsx (a
# production dependency: no separate compile step, the code that runs is the code that was
# tested), and an `emulator` target with the Snowflake emulator for docker-compose.
# docs/deployment.md says what of this was verified without a Docker engine.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: install everything, check types, keep only production dependencies ----------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY gen ./gen
COPY src ./src
# The dashboard (src/web) is bundled here, with the dev tools, into data/web.
RUN npx tsc --noEmit -p . \
 && mkdir -p data/web \
 && npm run --if-present build:web \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: the service ------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/var/lib/customer-analytics \
    SNOWFLAKE_DISABLE_PLATFORM_DETECTION=true
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY gen ./gen
COPY src ./src
# What ships with the image stays in the image: the bundled demo data (the default source) and
# the built dashboard, under /app/data, read-only for the service. What the service writes
# (DATA_DIR: snapshots, exports) is the volume, so an upgrade never finds a stale dashboard in
# an old volume and a bind mount never hides the demo data.
COPY data/raw/online-retail.csv.gz ./data/raw/online-retail.csv.gz
COPY --from=build /app/data/web ./data/web
RUN mkdir -p /var/lib/customer-analytics && chown node:node /var/lib/customer-analytics
USER node
VOLUME /var/lib/customer-analytics
EXPOSE 8080
# gRPC health (grpc.health.v1.Health/Check) over the service's own port; exit 0 = SERVING.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "--import", "tsx", "src/server/healthcheck.ts"]
# node is PID 1 and handles SIGTERM (drain, then exit) and SIGHUP (reload API keys and JWKS).
CMD ["node", "--import", "tsx", "src/main.ts"]

# ---- emulator: the Snowflake emulator, for docker-compose and local development ---------------
FROM runtime AS emulator
COPY test/emulator ./test/emulator
COPY test/fixtures ./test/fixtures
ENV EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=8085
EXPOSE 8085
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8085/__emulator/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "test/emulator/main.ts"]
