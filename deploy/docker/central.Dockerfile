# syntax=docker/dockerfile:1.7
# The CloudOptim central server image: the API, the background workers and the admin UI. Build from the
# repository root:
#   docker build -f deploy/docker/central.Dockerfile -t ghcr.io/cloudoptim/central:0.1.0 .
#
# "build" installs what the admin UI build and the bundler need, builds the UI (Vite) and bundles central's
# TypeScript into one ES module (deploy/docker/bundle.mjs: workspace code inlined, npm packages external).
# "deps" installs central's production dependencies only, at the lockfile's versions. The runtime image holds
# Node, those node_modules, the bundle and the data it reads next to it (migrations, market data, the UI),
# runs as a non-root user and writes nothing outside mounted volumes (production sets DATABASE_URL; without
# it the embedded PGlite needs a writable volume at CLOUDOPTIM_DATA_DIR).

ARG NODE_IMAGE=node:20.19-alpine

FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
# npm ci checks every workspace of the lockfile: all their package.json files (keep this list in step;
# apps/cli/src/deploy/dockerfiles.test.ts fails when a workspace is missing).
COPY package.json package-lock.json ./
COPY packages/api-client/package.json packages/api-client/
COPY packages/cloud/package.json packages/cloud/
COPY packages/contracts/package.json packages/contracts/
COPY packages/db/package.json packages/db/
COPY packages/engines/package.json packages/engines/
COPY packages/kube/package.json packages/kube/
COPY packages/market/package.json packages/market/
COPY packages/runtime/package.json packages/runtime/
COPY packages/simulator/package.json packages/simulator/
COPY apps/admin-ui/package.json apps/admin-ui/
COPY apps/agent/package.json apps/agent/
COPY apps/central/package.json apps/central/
COPY apps/cli/package.json apps/cli/
COPY apps/ml-server/package.json apps/ml-server/

FROM manifests AS build
RUN npm ci --ignore-scripts --no-audit --no-fund \
      --workspace @cloudoptim/central --workspace @cloudoptim/admin-ui --include-workspace-root
COPY tsconfig.base.json ./
COPY packages/api-client packages/api-client
COPY packages/cloud packages/cloud
COPY packages/contracts packages/contracts
COPY packages/db packages/db
COPY packages/engines packages/engines
COPY packages/market packages/market
COPY packages/runtime packages/runtime
COPY apps/admin-ui apps/admin-ui
COPY apps/central apps/central
COPY deploy/docker/bundle.mjs deploy/docker/
RUN npm run build -w @cloudoptim/admin-ui \
 && node deploy/docker/bundle.mjs apps/central/src/main.ts /out/central.mjs

FROM manifests AS deps
# Production dependencies of central and of the workspace packages it bundles; the workspace links themselves
# are removed (the bundle inlines that code).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace @cloudoptim/central \
 && rm -rf node_modules/@cloudoptim

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    CLOUDOPTIM_DATA_DIR=/var/lib/cloudoptim/db
WORKDIR /app
COPY --from=deps /src/node_modules ./node_modules
COPY --from=build /out/central.mjs ./central.mjs
# Where the bundled modules look for their data (bundle.mjs keeps each module's path relative to /app).
COPY --from=build /src/packages/db/migrations packages/db/migrations
COPY --from=build /src/packages/market/data packages/market/data
COPY --from=build /src/apps/admin-ui/dist apps/admin-ui/dist
RUN mkdir -p /var/lib/cloudoptim && chown 10001:10001 /var/lib/cloudoptim
USER 10001:10001
EXPOSE 8000
# Readiness (database reachable, not shutting down) rather than liveness: compose waits on it. Node's fetch,
# so the check works on any base image, busybox or not.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/readyz').then((r)=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "/app/central.mjs"]
