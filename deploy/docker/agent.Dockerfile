# syntax=docker/dockerfile:1.7
# The CloudOptim agent image. Build from the repository root:
#   docker build -f deploy/docker/agent.Dockerfile -t ghcr.io/cloudoptim/agent:0.1.0 .
#
# Stage 1 bundles the agent (apps/agent/src/entry.ts, the workspace packages it uses and the Kubernetes client)
# into one ES module with esbuild. Stage 2 installs only the agent's production dependencies at the lockfile's
# versions. The runtime image holds Node, those node_modules and the bundle, and runs as a
# non-root user with a read-only root filesystem (deploy/agent/deployment.yaml).

ARG NODE_IMAGE=node:20.19-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /src
# npm ci checks every workspace of the lockfile: all their package.json files (keep this list in step).
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
RUN npm ci --ignore-scripts --no-audit --no-fund --workspace @cloudoptim/agent --include-workspace-root
COPY tsconfig.base.json ./
COPY packages/contracts packages/contracts
COPY packages/runtime packages/runtime
COPY packages/kube packages/kube
COPY packages/api-client packages/api-client
COPY apps/agent apps/agent
# @kubernetes/client-node is bundled (minified, its ~2,500 generated modules cost ~50 MB of RSS when loaded
# from node_modules); ws, zod, pino and prom-client stay external.
RUN npx esbuild apps/agent/src/entry.ts --bundle --minify --platform=node --target=node20 --format=esm \
      --outfile=/out/agent.mjs --legal-comments=none \
      --external:ws --external:zod --external:pino --external:prom-client \
      --banner:js="import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);"

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=build /src/package.json /src/package-lock.json ./
COPY --from=build /src/packages packages
COPY --from=build /src/apps apps
# Production dependencies of the agent and of the workspace packages it bundles; what the bundle inlines (the
# workspace packages, the Kubernetes client) is removed again.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund --workspace @cloudoptim/agent \
 && rm -rf node_modules/@cloudoptim node_modules/@kubernetes

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /out/agent.mjs ./agent.mjs
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["node", "/app/agent.mjs"]
