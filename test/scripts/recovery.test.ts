/**
 * Replay and dead-letter redrive, end to end with the real @google-cloud/storage and @google-cloud/pubsub clients
 * against the GCS and Pub/Sub stand-ins on 127.0.0.1, in-process and as killed-and-rerun child processes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PubSub } from '@google-cloud/pubsub';
import { Storage } from '@google-cloud/storage';
import * as avro from 'avsc';
import { main as redrive } from '../../scripts/dlq-redrive';
import { RateLimiter } from '../../scripts/recovery/rate';
import { type StreamTargets, streamTargets } from '../../scripts/recovery/targets';
import { main as replay } from '../../scripts/replay';
import { PubSubStandIn } from '../runtime/ingest/pubsub-stand-in';
import { type GcsStandIn, startGcsStandIn } from '../runtime/loader/gcs-stand-in';

jest.setTimeout(120_000);

const REPO = path.resolve(__dirname, '../..');
const SCHEMA = {
  type: 'record',
  namespace: 'com.google.pubsub',
  name: 'PubsubMessageWithMetadata',
  fields: [
    { name: 'subscription_name', type: 'string' },
    { name: 'message_id', type: 'string' },
    { name: 'publish_time', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'attributes', type: { type: 'map', values: 'string' } },
    { name: 'data', type: 'bytes' },
  ],
};

interface Archived {
  readonly id: string;
  readonly at: string;
}

function avroFile(records: readonly Archived[], schema: object = SCHEMA): Promise<Buffer> {
  const type = avro.Type.forSchema(schema as avro.Schema);
  const encoder = new avro.streams.BlockEncoder(type, { codec: 'deflate' });
  const chunks: Buffer[] = [];
  encoder.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => encoder.on('end', () => resolve(Buffer.concat(chunks))));
  for (const r of records)
    encoder.write({
      subscription_name: 'projects/p/subscriptions/trb-dev-order-archive',
      message_id: `m-${r.id}`,
      publish_time: Date.parse(r.at) * 1000,
      attributes: {
        stream: 'order',
        schema_version: '1.0.0',
        event_id: r.id,
        source: 'web',
        googclient_schemaname: 'projects/p/schemas/trb-dev-order',
        googclient_schemarevisionid: 'abc',
      },
      data: Buffer.from(JSON.stringify({ order_id: r.id, at: r.at })),
    });
  encoder.end();
  return done;
}

let gcs: GcsStandIn;
let pubsub: PubSubStandIn;
let targets: StreamTargets;
let scratch: string;
const lines: string[] = [];
const log = (s: string) => lines.push(s);
const summary = () => JSON.parse(lines.at(-1) as string) as Record<string, unknown>;

beforeAll(async () => {
  delete process.env.STORAGE_EMULATOR_HOST;
  targets = streamTargets('dev', 'order');
  gcs = await startGcsStandIn({ buckets: [targets.archiveBucket] });
  pubsub = await PubSubStandIn.start();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-recovery-'));
});
afterAll(async () => {
  await pubsub.stop();
  await gcs.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});
beforeEach(() => {
  lines.length = 0;
  pubsub.clear();
});

const opened: PubSub[] = [];
const clients = () => {
  const client = new PubSub({ projectId: targets.project, apiEndpoint: pubsub.host });
  opened.push(client);
  return {
    storage: new Storage({ apiEndpoint: gcs.url, projectId: targets.project }),
    pubsub: client,
    targets,
  };
};
afterAll(async () => {
  for (const c of opened) await c.close();
});

describe('targets', () => {
  test('come from the environment’s own stack', () => {
    expect(targets).toMatchObject({
      project: 'trb-dev-placeholder',
      topic: 'projects/trb-dev-placeholder/topics/trb-dev-order',
      deadLetterSubscription: 'projects/trb-dev-placeholder/subscriptions/trb-dev-order-dlq-sub',
      sources: {
        delivery: 'projects/trb-dev-placeholder/subscriptions/trb-dev-order-bq',
        archive: 'projects/trb-dev-placeholder/subscriptions/trb-dev-order-archive',
      },
      archivePrefix: 'order/',
    });
    expect(() => streamTargets('dev', 'orders')).toThrow('--stream "orders": not a stream of dev (');
  });
});

describe('npm run replay', () => {
  const window = [
    '--env',
    'dev',
    '--stream',
    'order',
    '--from',
    '2026-11-30T10:00:00Z',
    '--to',
    '2026-11-30T11:00:00Z',
  ];

  beforeAll(async () => {
    const put = async (name: string, records: Archived[]) =>
      gcs.putObject(targets.archiveBucket, name, await avroFile(records));
    // The 09h file runs past 10:00; the 11h file starts after the window ends; 08h is never listed.
    await put('order/2026/11/30/08/55_00_a.avro', [{ id: 'early', at: '2026-11-30T08:56:00Z' }]);
    await put('order/2026/11/30/09/57_00_b.avro', [
      { id: 'before', at: '2026-11-30T09:58:00Z' },
      { id: 'o-1', at: '2026-11-30T10:01:00Z' },
    ]);
    await put('order/2026/11/30/10/05_00_c.avro', [
      { id: 'o-2', at: '2026-11-30T10:05:00Z' },
      { id: 'o-3', at: '2026-11-30T10:59:59.999Z' },
      { id: 'edge', at: '2026-11-30T11:00:00Z' },
    ]);
    await put('order/2026/11/30/11/01_00_d.avro', [{ id: 'after', at: '2026-11-30T11:01:00Z' }]);
    gcs.putObject(targets.archiveBucket, 'order/2026/11/30/10/notes.txt', 'not an archive file');
    await put('inventory_change/2026/11/30/10/05_00_e.avro', [{ id: 'other', at: '2026-11-30T10:30:00Z' }]);
  });

  test('a dry run counts the window without publishing or writing state', async () => {
    const state = path.join(scratch, 'dry.json');
    expect(await replay([...window, '--dry-run', '--state', state], log, clients())).toBe(0);
    expect(summary()).toMatchObject({
      event: 'tributary.replay_dry_run',
      objects: 3,
      records: 6,
      inWindow: 3,
      published: 0,
    });
    expect(pubsub.messages()).toEqual([]);
    expect(fs.existsSync(state)).toBe(false);
  });

  test('republishes exactly the window’s events: data byte for byte, ingest attributes, replay_of; then nothing more', async () => {
    const state = path.join(scratch, 'run.json');
    expect(await replay([...window, '--state', state], log, clients())).toBe(0);
    const sent = pubsub.messages(targets.topic);
    expect(sent.map((m) => m.attributes.event_id)).toEqual(['o-1', 'o-2', 'o-3']);
    expect(JSON.parse(sent[0]?.data.toString() as string)).toEqual({
      order_id: 'o-1',
      at: '2026-11-30T10:01:00Z',
    });
    expect(sent[1]?.attributes).toEqual({
      stream: 'order',
      schema_version: '1.0.0',
      event_id: 'o-2',
      source: 'web',
      replay_of: 'm-o-2',
    });
    expect(summary()).toMatchObject({ event: 'tributary.replay_done', inWindow: 3, published: 3 });
    // Re-running the finished replay republishes nothing: every object is recorded as done.
    pubsub.clear();
    expect(await replay([...window, '--state', state], log, clients())).toBe(0);
    expect(pubsub.messages()).toEqual([]);
    expect(summary()).toMatchObject({ objectsAlreadyDone: 3, published: 3 });
  });

  test('fails usage errors naming the flag, the value and the rule', async () => {
    await expect(
      replay(
        [
          '--env',
          'dev',
          '--stream',
          'order',
          '--from',
          '2026-11-30T10:00:00',
          '--to',
          '2026-11-30T11:00:00Z',
        ],
        log,
        clients(),
      ),
    ).rejects.toThrow('--from "2026-11-30T10:00:00": must be an ISO 8601 time with a zone');
    await expect(
      replay(
        [...window.slice(0, 4), '--from', '2026-11-30T12:00:00Z', '--to', '2026-11-30T11:00:00Z'],
        log,
        clients(),
      ),
    ).rejects.toThrow('--from 2026-11-30T12:00:00Z must be before --to 2026-11-30T11:00:00Z');
    await expect(replay([...window, '--rate', '0'], log, clients())).rejects.toThrow(
      '--rate "0": must be a positive number',
    );
    await expect(replay(['--env', 'dev', '--stream', 'order'], log, clients())).rejects.toThrow(
      '--from is required',
    );
  });

  test('fails a state file of another replay, and an archive file without metadata, naming the object', async () => {
    const state = path.join(scratch, 'other.json');
    fs.writeFileSync(
      state,
      JSON.stringify({
        version: 1,
        env: 'dev',
        stream: 'order',
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-11-30T11:00:00.000Z',
        done: {},
        published: 0,
      }),
    );
    await expect(replay([...window, '--state', state], log, clients())).rejects.toThrow(
      'state of another replay (from 2026-01-01T00:00:00.000Z',
    );
    const bare = {
      type: 'record',
      namespace: 'com.google.pubsub',
      name: 'PubsubMessage',
      fields: [{ name: 'data', type: 'bytes' }],
    };
    gcs.putObject(
      targets.archiveBucket,
      'order/2026/12/01/10/00_00_z.avro',
      await avroFile([{ id: 'x', at: '2026-12-01T10:01:00Z' }], bare),
    );
    gcs.putObject(targets.archiveBucket, 'order/2026/12/02/10/00_00_empty.avro', '');
    await expect(
      replay(
        [
          '--env',
          'dev',
          '--stream',
          'order',
          '--from',
          '2026-12-02T10:00:00Z',
          '--to',
          '2026-12-02T10:30:00Z',
          '--state',
          path.join(scratch, 'empty.json'),
        ],
        log,
        clients(),
      ),
    ).rejects.toThrow(/00_00_empty\.avro#\d+: is not an Avro object container file \(no header\)/);
    await expect(
      replay(
        [
          '--env',
          'dev',
          '--stream',
          'order',
          '--from',
          '2026-12-01T10:00:00Z',
          '--to',
          '2026-12-01T10:30:00Z',
          '--state',
          path.join(scratch, 'bare.json'),
        ],
        log,
        clients(),
      ),
    ).rejects.toThrow(
      /order\/2026\/12\/01\/10\/00_00_z\.avro#\d+: the Avro schema lacks subscription_name, message_id, publish_time, attributes; the archive subscription must write metadata/,
    );
  });
});

describe('npm run dlq:redrive', () => {
  const args = ['--env', 'dev', '--stream', 'order'];
  const dead = (id: string, from = 'delivery') => ({
    data: JSON.stringify({ order_id: id }),
    attributes: {
      stream: 'order',
      schema_version: '1.0.0',
      event_id: id,
      source: 'partner',
      CloudPubSubDeadLetterSourceSubscription:
        from === 'delivery' ? targets.sources.delivery : targets.sources.archive,
      CloudPubSubDeadLetterSourceDeliveryCount: '10',
      googclient_schemaname: 'x',
    },
  });

  beforeEach(() => {
    pubsub.createSubscription(targets.deadLetterSubscription, { ackDeadlineSeconds: 60 });
    pubsub.events.length = 0;
    pubsub.setFaults({});
  });

  test('republishes every dead-lettered message and acknowledges each only after its republish was acknowledged', async () => {
    pubsub.seed(
      targets.deadLetterSubscription,
      ['d-1', 'd-2', 'd-3', 'd-4', 'd-5'].map((id) => dead(id)),
    );
    expect(await redrive(args, log, clients())).toBe(0);
    const sent = pubsub.messages(targets.topic);
    expect(sent.map((m) => m.attributes.event_id).sort()).toEqual(['d-1', 'd-2', 'd-3', 'd-4', 'd-5']);
    expect(sent[0]?.attributes).toEqual({
      stream: 'order',
      schema_version: '1.0.0',
      event_id: sent[0]?.attributes.event_id,
      source: 'partner',
      redrive_of: expect.any(String),
    });
    expect(pubsub.backlog(targets.deadLetterSubscription)).toBe(0);
    // Order: each acked message's data had been published (and answered) before the ack.
    const seenPublished = new Set<string>();
    for (const e of pubsub.events) {
      if (e.kind === 'published') for (const d of e.data) seenPublished.add(d);
      if (e.kind === 'acked') for (const d of e.data) expect(seenPublished.has(d)).toBe(true);
    }
    expect(summary()).toMatchObject({ event: 'tributary.redrive_done', pulled: 5, redriven: 5, failed: 0 });
  });

  test('never acknowledges a message whose republish failed: it stays dead-lettered, and the run exits 1', async () => {
    pubsub.seed(targets.deadLetterSubscription, [dead('p-1'), dead('poison-2')]);
    pubsub.setFaults({ poison: 'poison' });
    expect(await redrive(args, log, clients())).toBe(1);
    expect(pubsub.events.filter((e) => e.kind === 'acked')).toEqual([]);
    expect(pubsub.backlog(targets.deadLetterSubscription)).toBe(2);
    expect(summary()).toMatchObject({ redriven: 0, failed: 2 });
  });

  test('--source archive redrives only what the archive subscription dead-lettered; the rest stays', async () => {
    const bare = { ...dead('a-3', 'archive') };
    // Pub/Sub may name the source by id alone: it matches as well as the full path.
    bare.attributes.CloudPubSubDeadLetterSourceSubscription = targets.sources.archive
      .split('/')
      .pop() as string;
    pubsub.seed(targets.deadLetterSubscription, [
      dead('a-1', 'archive'),
      dead('b-1'),
      dead('a-2', 'archive'),
      dead('b-2'),
      bare,
    ]);
    expect(await redrive([...args, '--source', 'archive'], log, clients())).toBe(0);
    expect(
      pubsub
        .messages(targets.topic)
        .map((m) => m.attributes.event_id)
        .sort(),
    ).toEqual(['a-1', 'a-2', 'a-3']);
    expect(pubsub.backlog(targets.deadLetterSubscription)).toBe(2);
    expect(summary()).toMatchObject({
      redriven: 3,
      skipped: 2,
      stoppedOn: '3 pulls with nothing to redrive',
    });
  });

  test('--export writes the messages to NDJSON (synced) instead of republishing; --dry-run changes nothing', async () => {
    pubsub.seed(targets.deadLetterSubscription, [dead('x-1'), dead('x-2')]);
    expect(await redrive([...args, '--dry-run'], log, clients())).toBe(0);
    expect(pubsub.backlog(targets.deadLetterSubscription)).toBe(2);
    expect(pubsub.events.filter((e) => e.kind === 'acked')).toEqual([]);
    const file = path.join(scratch, 'dlq.ndjson');
    expect(await redrive([...args, '--export', file], log, clients())).toBe(0);
    const rows = fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { data: string; attributes: Record<string, string> });
    expect(rows.map((r) => JSON.parse(Buffer.from(r.data, 'base64').toString()).order_id).sort()).toEqual([
      'x-1',
      'x-2',
    ]);
    expect(rows[0]?.attributes.CloudPubSubDeadLetterSourceSubscription).toBe(targets.sources.delivery);
    expect(pubsub.messages()).toEqual([]);
    expect(pubsub.backlog(targets.deadLetterSubscription)).toBe(0);
    await expect(redrive([...args, '--max', '2.5'], log, clients())).rejects.toThrow(
      '--max "2.5": must be a positive whole number',
    );
    await expect(redrive([...args, '--source', 'both'], log, clients())).rejects.toThrow(
      '--source "both": must be delivery, archive or any',
    );
  });
});

describe('resumable after a kill', () => {
  const run = (script: string, argv: string[]): ChildProcess =>
    spawn(path.join(REPO, 'node_modules/.bin/tsx'), [path.join(REPO, 'scripts', script), ...argv], {
      cwd: scratch,
      env: {
        ...process.env,
        PUBSUB_EMULATOR_HOST: pubsub.host,
        STORAGE_EMULATOR_HOST: gcs.url,
        METADATA_SERVER_DETECTION: 'none',
      },
      stdio: 'pipe',
    });
  const exit = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const until = async (done: () => boolean) => {
    while (!done()) await new Promise((r) => setTimeout(r, 20));
  };

  test('replay: killed mid-way, re-run, every event published, repeats within one batch', async () => {
    const ids = Array.from({ length: 900 }, (_, i) => `k-${String(i).padStart(4, '0')}`);
    const at = (i: number) => new Date(Date.parse('2026-11-29T10:00:00Z') + i * 1000).toISOString();
    gcs.putObject(
      targets.archiveBucket,
      'order/2026/11/29/10/00_00_k1.avro',
      await avroFile(ids.slice(0, 500).map((id, i) => ({ id, at: at(i) }))),
    );
    gcs.putObject(
      targets.archiveBucket,
      'order/2026/11/29/10/08_20_k2.avro',
      await avroFile(ids.slice(500).map((id, i) => ({ id, at: at(500 + i) }))),
    );
    const argv = [
      '--env',
      'dev',
      '--stream',
      'order',
      '--from',
      '2026-11-29T10:00:00Z',
      '--to',
      '2026-11-29T11:00:00Z',
      '--rate',
      '300',
      '--state',
      'kill.json',
    ];
    const first = run('replay.ts', argv);
    await until(() => pubsub.messages(targets.topic).length >= 250);
    first.kill('SIGKILL');
    await exit(first);
    const before = pubsub.messages(targets.topic).length;
    expect(before).toBeLessThan(900);
    const second = run('replay.ts', argv);
    expect(await exit(second)).toBe(0);
    const got = pubsub.messages(targets.topic).map((m) => m.attributes.event_id as string);
    expect(new Set(got)).toEqual(new Set(ids));
    expect(got.length - ids.length).toBeLessThanOrEqual(100);
  });

  test('redrive: killed mid-way, its held page comes back, the re-run drains the rest', async () => {
    pubsub.createSubscription(targets.deadLetterSubscription, { ackDeadlineSeconds: 60 });
    const ids = Array.from({ length: 600 }, (_, i) => `r-${i}`);
    pubsub.seed(
      targets.deadLetterSubscription,
      ids.map((id) => ({ data: JSON.stringify({ order_id: id }), attributes: { event_id: id } })),
    );
    const argv = ['--env', 'dev', '--stream', 'order', '--rate', '300'];
    const first = run('dlq-redrive.ts', argv);
    await until(() => pubsub.messages(targets.topic).length >= 150);
    first.kill('SIGKILL');
    await exit(first);
    // The killed run's held page returns once its deadline passes.
    pubsub.expireAll(targets.deadLetterSubscription);
    const second = run('dlq-redrive.ts', argv);
    expect(await exit(second)).toBe(0);
    expect(pubsub.backlog(targets.deadLetterSubscription)).toBe(0);
    const got = pubsub.messages(targets.topic).map((m) => m.attributes.event_id as string);
    expect(new Set(got)).toEqual(new Set(ids));
    expect(got.length - ids.length).toBeLessThanOrEqual(100);
  });
});

test('the rate limit spaces batches to the rate, without timing anything', async () => {
  let now = 0;
  const sleeps: number[] = [];
  const limiter = new RateLimiter(100, {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  });
  for (let i = 0; i < 5; i++) await limiter.take(100);
  // The first second's worth goes at once; each further 100 waits a second.
  expect(now).toBe(4000);
  expect(sleeps.reduce((a, b) => a + b, 0)).toBe(4000);
  await limiter.take(250);
  expect(now).toBe(6500);
  expect(() => new RateLimiter(0)).toThrow('rate 0: must be a positive number of messages a second');
  // Below one a second, one message at a time, spaced by the rate.
  const slow = new RateLimiter(0.5, {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
  const start = now;
  await slow.take(3);
  expect(now - start).toBe(4000);
});
