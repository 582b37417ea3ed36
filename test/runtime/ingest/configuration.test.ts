import {
  hashApiKey,
  parseApiKeyFile,
  parseGatewayManifest,
  serializeGatewayManifest,
  validateGatewayManifest,
} from '../../../contracts/gateway';
import { ApiKeyStore } from '../../../runtime/ingest/api-keys';
import { loadConfig } from '../../../runtime/ingest/config';
import { traceFields } from '../../../runtime/ingest/logging';
import { IngestMetrics } from '../../../runtime/ingest/metrics';
import { addKey, main as keysCli, removeKey } from '../../../scripts/ingest-keys';
import { baseContract } from '../../contracts/fixtures';
import { errorOf } from '../../helpers';
import { MANIFEST } from './harness';

describe('loadConfig', () => {
  test('reads the environment with documented defaults', () => {
    expect(loadConfig({ TRIBUTARY_INGEST_MANIFEST: '/m.json', PORT: '8081' })).toEqual({
      host: '0.0.0.0',
      port: 8081,
      manifestPath: '/m.json',
      authMode: 'iam',
      limits: {
        bodyBytes: 1_048_576,
        eventsPerRequest: 1000,
        eventBytes: 262_144,
        inFlightBytes: 67_108_864,
        nestingDepth: 32,
      },
      publishTimeoutMs: 5000,
      publishBatchMs: 2,
      publishBatchMessages: 100,
      publishDirectMinMessages: 32,
      metricsPort: 9464,
      shutdownGraceMs: 8000,
      keysReloadMs: 60_000,
    });
  });

  test('fails with every bad variable named, with its value and rule', () => {
    const error = errorOf(() =>
      loadConfig({
        TRIBUTARY_AUTH_MODE: 'open',
        PORT: 'http',
        TRIBUTARY_MAX_BODY_BYTES: '2048',
        TRIBUTARY_MAX_IN_FLIGHT_BYTES: '70000',
        GOOGLE_CLOUD_PROJECT: 'My Project',
      }),
    );
    expect(error.message.split('\n')).toEqual([
      'ingest gateway configuration (environment variables): 4 problems',
      '  - TRIBUTARY_INGEST_MANIFEST = (not set): is required: the path of the gateway manifest',
      '  - TRIBUTARY_AUTH_MODE = "open": must be "iam" or "api-key"',
      '  - GOOGLE_CLOUD_PROJECT = "My Project": must be a project id',
      '  - PORT = "http": must be a whole number from 0 to 65535',
    ]);
    expect(
      errorOf(() => loadConfig({ TRIBUTARY_INGEST_MANIFEST: '/m', TRIBUTARY_AUTH_MODE: 'api-key' })).message,
    ).toContain('TRIBUTARY_API_KEYS = (not set): is required with TRIBUTARY_AUTH_MODE=api-key');
    expect(
      errorOf(() =>
        loadConfig({
          TRIBUTARY_INGEST_MANIFEST: '/m',
          TRIBUTARY_MAX_BODY_BYTES: '100000',
          TRIBUTARY_MAX_IN_FLIGHT_BYTES: '70000',
        }),
      ).message,
    ).toContain('TRIBUTARY_MAX_IN_FLIGHT_BYTES = 70000: must be at least TRIBUTARY_MAX_BODY_BYTES (100000)');
  });
});

describe('the gateway manifest', () => {
  test('round-trips: what the constructs write is what the gateway reads', () => {
    const text = serializeGatewayManifest(MANIFEST);
    const parsed = parseGatewayManifest(text, 'manifest.json');
    expect(parsed.streams.map((s) => s.name)).toEqual([
      'app_event',
      'inventory_change',
      'order',
      'partner_event',
      'partner_session',
      'user_activity',
    ]);
    expect(parsed.streams.find((s) => s.name === 'order')?.orderingKey).toBe('customer_id');
    expect(serializeGatewayManifest(parsed)).toBe(text);
  });

  test('fails every problem at once: topics, names, duplicates, ordering keys, contracts', () => {
    const sale = baseContract();
    const error = errorOf(() =>
      validateGatewayManifest(
        {
          manifestVersion: 1,
          streams: [
            { name: 'sale', topic: 'sale-topic', orderingKey: 'note', contract: sale },
            {
              name: 'sale',
              topic: 'projects/trb-test-project/topics/sale',
              orderingKey: 'items',
              contract: sale,
            },
            {
              name: 'Other',
              topic: 'projects/trb-test-project/topics/x1y',
              contract: { ...sale, fields: [] },
            },
          ],
        },
        'manifest.json',
      ),
    );
    const lines = error.message.split('\n');
    expect(lines[0]).toBe('manifest.json: 6 problems');
    expect(lines.slice(1, 5)).toEqual([
      '  - streams[0].topic = "sale-topic": must be projects/<project>/topics/<topic>',
      '  - streams[0].orderingKey = "note": must be a required field (every message needs an ordering key)',
      '  - streams[1].name = "sale": appears twice',
      '  - streams[1].orderingKey = "items": must be a scalar field, not repeated',
    ]);
    expect(lines[5]).toBe('  - streams[2].name = "Other": must be a contract name');
    expect(lines[6]).toMatch(
      /^ {2}- streams\[2\]\.contract = "Other": Contract "sale" v1\.0\.0: \d+ problems?/,
    );
    expect(errorOf(() => parseGatewayManifest('{"manifestVersion": 2}', 'm.json')).message).toBe(
      'm.json: 1 problem\n  - (manifest) = "object": must be {"manifestVersion": 1, "streams": [...]}',
    );
    expect(errorOf(() => parseGatewayManifest('{', 'm.json')).message).toMatch(/^m\.json: not valid JSON/);
  });
});

describe('partner API keys', () => {
  test('ingest:keys adds a key (shown once) whose hash the gateway accepts, and removes it', () => {
    const { file, key } = addKey({ keysVersion: 1, keys: [] }, 'acme', ['order']);
    expect(key).toMatch(/^trbk_acme_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(file)).not.toContain(key.slice(10));
    expect(file.keys[0]).toEqual({ id: 'acme', sha256: hashApiKey(key), streams: ['order'] });
    const store = ApiKeyStore.fromRecords(file.keys);
    expect(store.check(key)).toEqual({ ok: true, id: 'acme', streams: new Set(['order']) });
    expect(store.check(`${key}x`)).toEqual({ ok: false });
    expect(removeKey(file, 'acme').keys).toEqual([]);
  });

  test('ingest:keys fails a bad id, a duplicate and a missing stream list, naming them', () => {
    const { file } = addKey({ keysVersion: 1, keys: [] }, 'acme', ['order']);
    expect(() => addKey(file, 'Acme!', ['order'])).toThrow('key id "Acme!" must match');
    expect(() => addKey(file, 'acme', ['order'])).toThrow('key id acme exists; remove it first to rotate');
    expect(() => addKey(file, 'globex', [])).toThrow('--streams must name at least one stream');
    const out: string[] = [];
    const err: string[] = [];
    expect(
      keysCli(['add', 'globex', '--streams', 'order'], { out: (s) => out.push(s), err: (s) => err.push(s) }),
    ).toBe(0);
    expect(err.join('')).toMatch(/^New API key for globex \(shown once/);
    expect(JSON.parse(out.join('')).keys[0].id).toBe('globex');
    expect(keysCli(['rotate'], { out: () => {}, err: (s) => err.push(s) })).toBe(2);
  });

  test('ingest:keys fails streams the platform does not have, naming them and the known ones', () => {
    expect(() => addKey({ keysVersion: 1, keys: [] }, 'acme', ['order', 'refund'])).toThrow(
      '--streams names streams the platform does not have: refund (known: order, inventory_change, user_activity, app_event)',
    );
  });

  test.each([
    [['add', 'acme', '--stream', 'order'], "Unknown option '--stream'"],
    [['add', 'acme', '--streams'], "Option '--streams <value>' argument missing"],
    [['list'], 'list needs --file <the current key file>'],
    [['remove'], 'expected add <id>, remove <id> or list'],
    [['list', 'extra', '--file', 'k.json'], 'expected add <id>, remove <id> or list'],
    [['add', 'acme', 'order'], 'unexpected argument "order"'],
  ])('ingest:keys %j fails with exit 2 and the usage, doing nothing', (argv, message) => {
    const out: string[] = [];
    const err: string[] = [];
    expect(keysCli(argv, { out: (s) => out.push(s), err: (s) => err.push(s) })).toBe(2);
    expect(err.join('')).toContain(message);
    expect(err.join('')).toContain('usage: ingest:keys -- add <id>');
    expect(out).toEqual([]);
  });

  test.each([
    ['[]', '(file) = []: must be a JSON object {"keysVersion": 1, "keys": [...]}'],
    ['"keys"', '(file) = "keys": must be a JSON object'],
    ['{"keysVersion": 2, "keys": {}}', 'keysVersion = 2: must be 1\n  - keys = {}: must be a list of keys'],
    ['{"keys": []}', 'keysVersion = (not set): is required'],
  ])('a malformed key file %s fails naming the part and its value', (text, message) => {
    expect(() => parseApiKeyFile(text, 'keys.json')).toThrow(message);
  });

  test('a key file fails on bad ids, hashes and streams without echoing hashes', () => {
    const error = errorOf(() =>
      parseApiKeyFile(
        JSON.stringify({ keysVersion: 1, keys: [{ id: 'X', sha256: 'abc', streams: 'order' }] }),
        'keys.json',
      ),
    );
    expect(error.message).toContain('keys[0].id = "X"');
    expect(error.message).toContain('keys[0].sha256 = "(hidden)": must be 64 lowercase hex characters');
    expect(error.message).toContain('keys[0].streams = "order": must list stream names');
    expect(error.message).not.toContain('abc');
  });
});

describe('trace correlation', () => {
  test('reads Cloud Run and W3C trace headers, and ignores malformed ones', () => {
    expect(
      traceFields({ 'x-cloud-trace-context': '0123456789abcdef0123456789abcdef/1;o=0' }, 'p-123456'),
    ).toEqual({
      'logging.googleapis.com/trace': 'projects/p-123456/traces/0123456789abcdef0123456789abcdef',
      'logging.googleapis.com/spanId': '0000000000000001',
      'logging.googleapis.com/trace_sampled': false,
    });
    expect(traceFields({ traceparent: '00-0123456789abcdef0123456789abcdef-00f067aa0ba902b7-01' })).toEqual({
      'logging.googleapis.com/trace': '0123456789abcdef0123456789abcdef',
      'logging.googleapis.com/spanId': '00f067aa0ba902b7',
      'logging.googleapis.com/trace_sampled': true,
    });
    expect(traceFields({ 'x-cloud-trace-context': 'not-a-trace', traceparent: 'junk' })).toEqual({});
  });
});

describe('IngestMetrics', () => {
  test('adds to one series however the labels are ordered, and escapes label values', () => {
    const m = new IngestMetrics();
    for (let i = 0; i < 3; i++) m.events('order', 'accepted', 2);
    m.add('tributary_ingest_events_total', { outcome: 'accepted', stream: 'order' }, 1);
    m.add('tributary_ingest_requests_total', { stream: 'a"b\\c\nd', status: '200' });
    expect(m.value('tributary_ingest_events_total', { stream: 'order', outcome: 'accepted' })).toBe(7);
    const text = m.render();
    expect(text).toContain('tributary_ingest_events_total{outcome="accepted",stream="order"} 7\n');
    expect(text).toContain('tributary_ingest_requests_total{status="200",stream="a\\"b\\\\c\\nd"} 1\n');
    expect(text.match(/tributary_ingest_events_total\{/g)).toHaveLength(1);
  });

  test('fails on a counter it does not define, naming it', () => {
    expect(() => new IngestMetrics().add('tributary_nope_total', { stream: 'order' })).toThrow(
      'unknown counter tributary_nope_total',
    );
  });
});
