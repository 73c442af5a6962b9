# The headless CLI as an image, for clusters (public/deploy/k8s/landscape-job.yaml; on Slurm through
# Apptainer: apptainer build landscape.sif docker-daemon://loss-landscape-lab:0.1.0).
#
#   docker build -t loss-landscape-lab:0.1.0 .
#   docker run --rm -v "$PWD/runs:/data" loss-landscape-lab:0.1.0 compute --config /data/x.json --out /data/x.json.gz
#
# The entrypoint is the CLI: arguments are `landscape` commands (plan, shard, merge, status, compute, ...).

# Build stage: every dependency (the AssemblyScript compiler is a dev dependency), then the kernel.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY src ./src
RUN node src/core/kernel/build.mjs

# Runtime: production dependencies only, the built kernel, and tsx, which runs the TypeScript CLI
# (a dev dependency, copied with esbuild, its only dependency, and esbuild's platform binary).
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/node_modules/tsx ./node_modules/tsx
COPY --from=build /app/node_modules/esbuild ./node_modules/esbuild
COPY --from=build /app/node_modules/@esbuild ./node_modules/@esbuild
COPY tsconfig.json ./
COPY public ./public
COPY src ./src
COPY --from=build /app/src/core/kernel/kernel-wasm.generated.ts ./src/core/kernel/
USER node
ENTRYPOINT ["node", "--import", "/app/node_modules/tsx/dist/loader.mjs", "/app/src/cli/main.ts"]
