/**
 * Child processes of bench:ingest, each started with `--role`:
 * - `stand-in` runs the Pub/Sub stand-in (counting only) and prints its port;
 * - `proxy` runs the anchor: the minimal fastify proxy a user would otherwise write. It publishes the same
 *   messages and attributes as the gateway with `@google-cloud/pubsub` (the batching client for small requests,
 *   one GAPIC PublishRequest for large ones, the best official path for each) and answers 200 after every ack,
 *   with no validation and no per-event report;
 * - `echo` runs a bare fastify JSON echo: it parses the body and sends the parsed value back, nothing else.
 * Separate processes, so the load generator measures servers, not itself.
 */
import { PubSub, v1 } from '@google-cloud/pubsub';
import Fastify from 'fastify';
import { parseCommandLine } from '../../scripts/cli';
import { PubSubStandIn } from '../runtime/ingest/pubsub-stand-in';

async function main(): Promise<void> {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    { role: { type: 'string' }, port: { type: 'string' }, topic: { type: 'string' } },
    'ingest-children --role stand-in | --role echo --port <n> | --role proxy --port <n> --topic <name>',
  );
  const role = values.role;
  if (role === 'stand-in') {
    const standIn = await PubSubStandIn.start({ countOnly: true });
    process.stdout.write(`${JSON.stringify({ port: standIn.port })}\n`);
    return;
  }
  if (role === 'echo') {
    const port = Number(values.port);
    const app = Fastify({ bodyLimit: 4 * 1024 * 1024 });
    app.post('/v1/streams/:stream/events', async (request) => request.body);
    await app.listen({ host: '127.0.0.1', port });
    process.stdout.write(`${JSON.stringify({ port })}\n`);
    return;
  }
  if (role === 'proxy') {
    const port = Number(values.port);
    const topicName = values.topic as string;
    const pubsub = new PubSub({ projectId: 'trb-test-project' });
    // The gateway's batching settings, so the small-request path is compared like for like.
    const topic = pubsub.topic(topicName, {
      batching: { maxMessages: 100, maxBytes: 9_000_000, maxMilliseconds: 2 },
    });
    const gapic = new v1.PublisherClient(
      (await pubsub.getClientConfig()) as ConstructorParameters<typeof v1.PublisherClient>[0],
    );
    const app = Fastify({ bodyLimit: 4 * 1024 * 1024 });
    app.post('/v1/streams/:stream/events', async (request, reply) => {
      const body = request.body as Record<string, unknown> | Record<string, unknown>[];
      const events = Array.isArray(body) ? body : [body];
      const messages = events.map((e) => ({
        data: Buffer.from(JSON.stringify(e)),
        attributes: {
          stream: 'order',
          schema_version: '1.0.0',
          event_id: String(e.order_id),
          source: 'internal',
        },
      }));
      try {
        if (messages.length >= 32) await gapic.publish({ topic: topicName, messages });
        else await Promise.all(messages.map((m) => topic.publishMessage(m)));
        return { accepted: messages.length };
      } catch {
        return reply.code(503).send({ error: 'publish failed' });
      }
    });
    await app.listen({ host: '127.0.0.1', port });
    // A clean exit on SIGTERM, so a profiler attached with --cpu-prof writes its profile.
    process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
    process.stdout.write(`${JSON.stringify({ port })}\n`);
    return;
  }
  throw new Error(`unknown role ${role}`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
