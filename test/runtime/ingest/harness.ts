/**
 * Shared pieces of the gateway tests: the manifest of the example contracts, partner keys, an app built on a
 * real PubSubPublisher talking to the Pub/Sub stand-in, and the built bundle started as a child process.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { defineContract, field, t } from '../../../contracts/dsl';
import {
  type ApiKeyRecord,
  type GatewayManifest,
  hashApiKey,
  serializeGatewayManifest,
} from '../../../contracts/gateway';
import { ApiKeyStore } from '../../../runtime/ingest/api-keys';
import ingestApp, { type IngestAppOptions } from '../../../runtime/ingest/app';
import type { IngestLimits } from '../../../runtime/ingest/config';
import { loggerOptions } from '../../../runtime/ingest/logging';
import { IngestMetrics } from '../../../runtime/ingest/metrics';
import { type EventPublisher, PubSubPublisher } from '../../../runtime/ingest/publisher';
import { CONTRACTS } from '../../../stacks/contracts/index';
import type { PubSubStandIn } from './pubsub-stand-in';

export const PROJECT = 'trb-test-project';
export const topicOf = (stream: string) => `projects/${PROJECT}/topics/trb-test-${stream.replace(/_/g, '-')}`;

/**
 * Test-only streams that reach Pub/Sub's limits: undeclared fields are dropped (so `dropped_fields` can grow
 * without bound), and the key and the ordering field have no length bound. `partner_event` is unordered (large
 * requests take the direct publish path), `partner_session` is ordered by `session`.
 */
const partnerContract = (name: string, extra: string) =>
  defineContract({
    name,
    version: '1.0.0',
    tableVersion: 1,
    description: 'A partner event whose undeclared fields are dropped.',
    owner: 'tests@example.com',
    fields: [
      field('partner_event_id', 'Event id, unbounded on purpose.', t.string()),
      field(extra, 'Unbounded on purpose.', t.string()),
      field('sent_at', 'When the partner sent it.', t.timestamp()),
    ],
    key: ['partner_event_id'],
    eventTime: 'sent_at',
    unknownFields: 'drop',
  });
export const PARTNER_EVENT = partnerContract('partner_event', 'note');
export const PARTNER_SESSION = partnerContract('partner_session', 'session');

export const MANIFEST: GatewayManifest = {
  manifestVersion: 1,
  streams: [...CONTRACTS, PARTNER_EVENT, PARTNER_SESSION].map((c) => ({
    name: c.name,
    topic: topicOf(c.name),
    ...(c.name === 'order' ? { orderingKey: 'customer_id' } : {}),
    ...(c.name === 'partner_session' ? { orderingKey: 'session' } : {}),
    contract: c,
  })),
};

export const LIMITS: IngestLimits = {
  bodyBytes: 262_144,
  eventsPerRequest: 200,
  eventBytes: 16_384,
  inFlightBytes: 4_194_304,
  nestingDepth: 32,
};

/** A fresh partner key and its stored record. */
export function partnerKey(id: string, streams: readonly string[]): { key: string; record: ApiKeyRecord } {
  const key = `trbk_${id}_${randomBytes(32).toString('base64url')}`;
  return { key, record: { id, sha256: hashApiKey(key), streams } };
}

/** Collects log lines as parsed JSON. */
export class LogCapture extends Writable {
  public readonly lines: Record<string, unknown>[] = [];
  public raw = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.raw += chunk.toString();
    for (const line of chunk.toString().split('\n')) if (line.trim()) this.lines.push(JSON.parse(line));
    done();
  }
}

export interface TestApp {
  readonly app: FastifyInstance;
  readonly metrics: IngestMetrics;
  readonly logs: LogCapture;
  readonly publisher: EventPublisher;
}

/** The app as the server builds it, on a real Pub/Sub client pointed at the stand-in. */
export async function buildTestApp(
  standIn: PubSubStandIn,
  overrides: Partial<IngestAppOptions> = {},
  publishTimeoutMs = 3000,
): Promise<TestApp> {
  process.env.PUBSUB_EMULATOR_HOST = standIn.host;
  // No metadata server off Google Cloud: tell the auth library not to look for one.
  process.env.METADATA_SERVER_DETECTION = 'none';
  const logs = new LogCapture();
  const app = Fastify({
    logger: loggerOptions(logs, 'info'),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: LIMITS.bodyBytes,
  });
  const metrics = new IngestMetrics();
  const publisher =
    overrides.publisher ?? new PubSubPublisher({ projectId: PROJECT, timeoutMs: publishTimeoutMs });
  await app.register(ingestApp, {
    manifest: MANIFEST,
    publisher,
    authMode: 'iam',
    limits: LIMITS,
    metrics,
    projectId: PROJECT,
    ...overrides,
  });
  await app.ready();
  return { app, metrics, logs, publisher };
}

export function keyStore(...records: ApiKeyRecord[]): ApiKeyStore {
  return ApiKeyStore.fromRecords(records);
}

export const BUNDLE = path.resolve(__dirname, '../../../dist/runtime/ingest/server.js');

export interface RunningGateway {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts the built bundle on 127.0.0.1 with a manifest (the test one by default), and waits until it listens. */
export async function startBundle(
  env: Record<string, string>,
  port: number,
  manifest: GatewayManifest = MANIFEST,
): Promise<RunningGateway> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-ingest-'));
  const manifestPath = path.join(dir, 'manifest.json');
  fs.writeFileSync(manifestPath, serializeGatewayManifest(manifest));
  const child = spawn(process.execPath, [BUNDLE], {
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      GOOGLE_CLOUD_PROJECT: PROJECT,
      TRIBUTARY_INGEST_MANIFEST: manifestPath,
      TRIBUTARY_METRICS_PORT: '0',
      METADATA_SERVER_DETECTION: 'none',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`gateway did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url, output: () => output, exited };
}
