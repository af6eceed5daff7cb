# syntax=docker/dockerfile:1
# Multi-stage build: dependencies are installed in a throwaway stage (with the compiler toolchain
# npm may need), the runtime stage carries only production node_modules, sources and schemas.
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
# Plain JavaScript at run time: start-up without a TypeScript loader (see scripts/build.mjs).
RUN node scripts/build.mjs
# The embedded store writes under /data; run as the unprivileged 'node' user of the base image.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--enable-source-maps", "dist/src/server.js"]
