/**
 * The gateway process: reads its configuration and files, serves the app on PORT, serves metrics on a
 * localhost-only port, and shuts down cleanly on SIGTERM (Cloud Run sends it before stopping an instance):
 * stop accepting, let in-flight requests finish (each waits for Pub/Sub), flush the publisher, exit.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import Fastify, { LogController } from 'fastify';
import { parseGatewayManifest } from '../../contracts/gateway';
import { ApiKeyStore } from './api-keys';
import ingestApp from './app';
import { loadConfig } from './config';
import { loggerOptions } from './logging';
import { IngestMetrics } from './metrics';
import { PubSubPublisher } from './publisher';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const manifest = parseGatewayManifest(fs.readFileSync(config.manifestPath, 'utf8'), config.manifestPath);
  let draining = false;
  const app = Fastify({
    logger: loggerOptions(undefined, process.env.LOG_LEVEL ?? 'info'),
    // One line per request would double the work at full load; Cloud Run's request log already has them.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (a pino child costs microseconds on the hot path): lines carry the request's
    // trace fields instead, added by the app where a request has them.
    childLoggerFactory: (logger) => logger,
    bodyLimit: config.limits.bodyBytes,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Longer than the Cloud Run front end keeps idle connections, so it closes them first.
    keepAliveTimeout: 650_000,
  });
  const apiKeys = config.apiKeysPath
    ? ApiKeyStore.fromFile(config.apiKeysPath, config.keysReloadMs, app.log)
    : undefined;
  const publisher = new PubSubPublisher({
    projectId: config.projectId,
    timeoutMs: config.publishTimeoutMs,
    // Pub/Sub takes at most 1000 messages and 10 MB per request.
    batching: {
      maxMessages: config.publishBatchMessages,
      maxBytes: 9_000_000,
      maxMilliseconds: config.publishBatchMs,
    },
    directPublishMinMessages: config.publishDirectMinMessages,
  });
  const metrics = new IngestMetrics();
  await app.register(ingestApp, {
    manifest,
    publisher,
    authMode: config.authMode,
    limits: config.limits,
    metrics,
    ...(apiKeys ? { apiKeys } : {}),
    ...(config.projectId ? { projectId: config.projectId } : {}),
    isDraining: () => draining,
  });

  const metricsServer =
    config.metricsPort > 0
      ? http.createServer((req, res) => {
          if (req.url !== '/metrics') {
            res.writeHead(404).end();
            return;
          }
          res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
        })
      : undefined;
  metricsServer?.listen(config.metricsPort, '127.0.0.1');

  const address = await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { address, streams: manifest.streams.map((s) => s.name), authMode: config.authMode },
    'ingest gateway listening',
  );

  const shutdown = async (signal: string) => {
    if (draining) return;
    draining = true;
    app.log.info(
      { signal },
      'draining: no new events; finishing in-flight requests and flushing the publisher',
    );
    const deadline = setTimeout(() => {
      app.log.error({ graceMs: config.shutdownGraceMs }, 'shutdown grace period exceeded; exiting');
      process.exit(1);
    }, config.shutdownGraceMs);
    deadline.unref();
    try {
      await app.close();
      await publisher.close();
      apiKeys?.close();
      metricsServer?.close();
      app.log.info('ingest gateway stopped');
      clearTimeout(deadline);
      process.exit(0);
    } catch (error) {
      app.log.error({ err: { message: (error as Error).message } }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
}

main().catch((error: Error) => {
  // Configuration and file errors list every problem; print them whole, as a structured log line.
  process.stdout.write(
    `${JSON.stringify({ severity: 'CRITICAL', message: `ingest gateway failed to start: ${error.message}` })}\n`,
  );
  process.exit(1);
});
