# customer-analytics: a build stage that compiles the service (tsc into dist/) and bundles the
# dashboard (esbuild into data/web) with every dependency, a runtime stage on Node 22 LTS with
# the compiled JavaScript and the production dependencies only (no tsx, no TypeScript sources,
# no tests), and an `emulator` target with the Snowflake emulator for docker-compose.
# `docker build .` builds the runtime (the last stage). scripts/container-check.sh builds
# and runs this file with podman; docs/deployment.md says what that verified.

ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: install everything, compile, bundle ------------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Empty unless the network intercepts TLS: then the builder mounts its CA bundle for npm ci
# (scripts/container-check.sh does). A build argument lives in this stage only.
ARG NODE_EXTRA_CA_CERTS=
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/build.mjs
COPY gen ./gen
COPY src ./src
# tsc type-checks as it compiles: the image is never built from code that does not type-check.
RUN npm run build

# ---- production dependencies only ----------------------------------------------------------------
FROM build AS production-deps
RUN npm prune --omit=dev --no-audit --no-fund

# ---- emulator: the Snowflake emulator, for docker-compose and local development ---------------
# Its own stage from the base image, so it inherits neither the service's VOLUME nor its port.
# The emulator is a development tool: it runs its TypeScript with tsx from the full install.
FROM ${NODE_IMAGE} AS emulator
ENV EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=8085 \
    SNOWFLAKE_DISABLE_PLATFORM_DETECTION=true
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY test/emulator ./test/emulator
COPY test/fixtures ./test/fixtures
USER node
EXPOSE 8085
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.EMULATOR_PORT || 8085) + '/__emulator/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "test/emulator/main.ts"]

# ---- runtime: the service (the default target) ----------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/var/lib/customer-analytics \
    SNOWFLAKE_DISABLE_PLATFORM_DETECTION=true
WORKDIR /app
# package.json says "type": "module" for the compiled files; everything under /app is owned by
# root and read-only for the service.
COPY package.json ./
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# What ships with the image stays in the image: the bundled demo data (the default source) and
# the built dashboard, under /app/data, found relative to the compiled code. What the service
# writes (DATA_DIR: snapshots, exports) is the volume, so an upgrade never finds a stale
# dashboard in an old volume and a bind mount never hides the demo data.
COPY data/raw/online-retail.csv.gz ./data/raw/online-retail.csv.gz
COPY --from=build /app/data/web ./data/web
# Owned by node and group 0, group-writable: the image runs as node (uid 1000) and also under
# an arbitrary UID with group 0, as OpenShift assigns.
RUN mkdir -p /var/lib/customer-analytics \
 && chown node:0 /var/lib/customer-analytics \
 && chmod 0770 /var/lib/customer-analytics
USER node
VOLUME /var/lib/customer-analytics
EXPOSE 8080
# gRPC health (grpc.health.v1.Health/Check) over the service's own port; exit 0 = SERVING, which
# needs a snapshot. The start period covers a first sync (402 s for 10M relationships through
# the Snowflake driver, docs/performance.md): failures before it do not count, and the first
# success marks the container healthy at once. Each probe is a plain node start (compiled JS).
HEALTHCHECK --interval=15s --timeout=5s --start-period=600s --retries=3 \
  CMD ["node", "dist/src/server/healthcheck.js"]
# node is PID 1 and handles SIGTERM (abort a sync, drain, exit 0) and SIGHUP (reload API keys
# and JWKS).
CMD ["node", "dist/src/main.js"]
