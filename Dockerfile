# syntax=docker/dockerfile:1
# Multi-stage build: production dependencies are installed in a throwaway stage (npm's cache stays
# there; no dependency compiles native code: esbuild ships a prebuilt binary), the runtime stage
# carries those node_modules, the sources, the schemas and the compiled dist/ that `npm start` runs.
# .dockerignore keeps the host's node_modules, dist/ and data/ (signing key, dev token) out of the context.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.json ./
COPY src ./src
COPY schemas ./schemas
COPY scripts/build.mjs ./scripts/build.mjs
# What `npm start` builds first (its prestart): plain JavaScript and the server/worker bundles, so
# start-up needs no TypeScript loader (see scripts/build.mjs); esbuild is a production dependency.
RUN node scripts/build.mjs
# The embedded store writes under /data; run as the unprivileged 'node' user of the base image.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `npm start` without its prestart build (done above) and without npm between the signal and node
CMD ["node", "--enable-source-maps", "dist/src/server.js"]
