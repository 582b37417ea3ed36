/**
 * Child processes of bench:ingest, each started with `--role`: `stand-in` runs the Pub/Sub stand-in (counting
 * only) and prints its port; `echo` runs the baseline, a bare fastify JSON echo: it parses the body with
 * fastify's JSON parser and sends the parsed value back (fastify serializes it), nothing else. Separate
 * processes, so the load generator measures servers, not itself.
 */
import Fastify from 'fastify';
import { parseCommandLine } from '../../scripts/cli';
import { PubSubStandIn } from '../runtime/ingest/pubsub-stand-in';

async function main(): Promise<void> {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    { role: { type: 'string' }, port: { type: 'string' } },
    'ingest-children --role stand-in | --role echo --port <n>',
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
  throw new Error(`unknown role ${role}`);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
