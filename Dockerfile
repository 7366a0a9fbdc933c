# syntax=docker/dockerfile:1
# Kiro Proxy headless (the `kiro-proxy` CLI) in a container: built from source with npm ci +
# esbuild, run as the unprivileged `node` user on a slim Node 22 image that holds only the
# bundles (dist/cli.js and dist/team.js need no node_modules at run time).
#
#   docker build -t kiro-proxy .
#   docker run --rm -p 8080:8080 -e KIRO_PROXY_API_KEY=... -e KIRO_PROXY_ALLOWED_HOSTS=localhost \
#     -v kiro-proxy-data:/data kiro-proxy
#
# Team gateway (several instances sharing one pool through Redis): see compose.yaml and the
# "Team gateway" section of README.md.

FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the build needs no install script (esbuild's binary comes from its optional
# platform package), and skipping them keeps devDependencies' scripts out of the image build.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY esbuild.mjs ./
COPY scripts ./scripts
COPY media ./media
COPY src ./src
RUN node esbuild.mjs --production

FROM node:22-bookworm-slim
ENV NODE_ENV=production \
    KIRO_PROXY_HOME=/data \
    KIRO_PROXY_HOST=0.0.0.0 \
    KIRO_PROXY_PORT=8080
WORKDIR /app
# team.js: team mode (--redis-url), loaded by cli.js only when a Redis URL is set.
COPY --from=build /src/dist/cli.js /src/dist/team.js /src/dist/tokenizer.js /src/dist/webview.js /src/dist/dashboard.css ./dist/
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# /health needs no API key; the probe talks to the instance itself over loopback.
HEALTHCHECK --interval=10s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.KIRO_PROXY_PORT || 8080) + '/health', { signal: AbortSignal.timeout(2500) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) stops the proxy cleanly: node is PID 1 here and the CLI handles it.
ENTRYPOINT ["node", "dist/cli.js"]
