/**
 * What the ingest gateway is configured with, as files: the manifest of streams it serves (written by the
 * constructs at synth, mounted into the service), and the API key file (kept in Secret Manager, written by
 * `npm run ingest:keys`). Both are parsed strictly: a gateway that cannot trust its configuration must not
 * start. Pure TypeScript, shared by the constructs (which write them) and the runtime (which reads them).
 */
import { createHash } from 'node:crypto';
import { TOPIC_NAME_SOURCE } from '../core/gcp';
import { Checks, parseJson } from '../core/validation';
import { checkManifestStreams } from './manifest';
import type { Contract, FieldSpec } from './model';
import { CONTRACT_NAME } from './rules';

export interface GatewayStream {
  /** The stream (contract) name, the `:stream` of `POST /v1/streams/:stream/events`. */
  readonly name: string;
  /** Full topic name, `projects/<project>/topics/<topic>`. */
  readonly topic: string;
  /** A required top-level scalar field whose value orders messages (Pub/Sub ordering key). @default - none */
  readonly orderingKey?: string;
  readonly contract: Contract;
}

export interface GatewayManifest {
  readonly manifestVersion: 1;
  readonly streams: readonly GatewayStream[];
}

const TOPIC = new RegExp(TOPIC_NAME_SOURCE);
const ORDERABLE = new Set(['string', 'int64', 'enum', 'date', 'timestamp', 'bool']);

/** Why a field cannot order messages, or undefined when it can. */
function orderingKeyProblem(contract: Contract, field: string): string | undefined {
  const spec: FieldSpec | undefined = contract.fields.find((f) => f.name === field);
  if (!spec) return `is not a top-level field of ${contract.name}`;
  if (spec.optional) return 'must be a required field (every message needs an ordering key)';
  if (!ORDERABLE.has(spec.type.kind)) return `must be a scalar field, not ${spec.type.kind}`;
  return undefined;
}

/** Checks a manifest and returns it with every contract validated; the error lists every problem. */
export function validateGatewayManifest(raw: unknown, source: string): GatewayManifest {
  const c = new Checks(source);
  const { streams, contracts } = checkManifestStreams<GatewayStream>(
    c,
    raw,
    { envelopeTail: '', streamFields: 'name, topic and contract' },
    (s, at, contract) => {
      c.rule(
        `${at}.topic`,
        s.topic,
        'must be projects/<project>/topics/<topic>',
        (t) => typeof t === 'string' && TOPIC.test(t),
      );
      if (contract && s.orderingKey !== undefined) {
        const problem = orderingKeyProblem(contract, s.orderingKey);
        if (problem) c.fail(`${at}.orderingKey`, s.orderingKey, problem);
      }
    },
  );
  c.throwIfAny();
  return {
    manifestVersion: 1,
    streams: streams.map((s, i) => ({
      name: s.name,
      topic: s.topic,
      ...(s.orderingKey !== undefined ? { orderingKey: s.orderingKey } : {}),
      contract: contracts[i] as Contract,
    })),
  };
}

export function parseGatewayManifest(text: string, source: string): GatewayManifest {
  const raw = parseJson(text, source);
  return validateGatewayManifest(raw, source);
}

/** Compact JSON, streams sorted by name: the same streams always give the same file (and object hash). */
export function serializeGatewayManifest(manifest: GatewayManifest): string {
  const streams = [...manifest.streams].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return JSON.stringify({ manifestVersion: 1, streams });
}

/** One partner API key as stored: never the key itself, only its SHA-256. */
export interface ApiKeyRecord {
  /** Key id, also the partner's source label (`partner:<id>`). */
  readonly id: string;
  /** Hex SHA-256 of the whole key string. */
  readonly sha256: string;
  /** Streams the key may write. */
  readonly streams: readonly string[];
}

export interface ApiKeyFile {
  readonly keysVersion: 1;
  readonly keys: readonly ApiKeyRecord[];
}

export const API_KEY_ID = /^[a-z][a-z0-9-]{1,40}$/;
/** `trbk_<id>_<43 base64url characters>`: the id prefix lets the gateway find the record without a scan. */
export const API_KEY = /^trbk_([a-z][a-z0-9-]{1,40})_([A-Za-z0-9_-]{43})$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function parseApiKeyFile(text: string, source: string): ApiKeyFile {
  const raw = parseJson(text, source);
  const c = new Checks(source);
  const f = raw as Partial<ApiKeyFile> | null;
  if (typeof f !== 'object' || f === null || Array.isArray(f)) {
    c.fail('(file)', raw, 'must be a JSON object {"keysVersion": 1, "keys": [...]}').throwIfAny();
    return raw as never;
  }
  c.rule('keysVersion', f.keysVersion, 'must be 1', (v) => v === 1).require('keysVersion', f.keysVersion);
  c.rule('keys', f.keys, 'must be a list of keys', Array.isArray).require('keys', f.keys);
  c.throwIfAny();
  const ids = new Set<string>();
  (f as ApiKeyFile).keys.forEach((k, i) => {
    const at = `keys[${i}]`;
    c.rule(`${at}.id`, k?.id, API_KEY_ID.source, (id) => typeof id === 'string' && API_KEY_ID.test(id));
    if (ids.has(k?.id)) c.fail(`${at}.id`, k?.id, 'appears twice');
    ids.add(k?.id);
    // The hash is not a secret, but it is never echoed back: a typo here must not leak into logs either.
    c.rule(
      `${at}.sha256`,
      k?.sha256 === undefined ? undefined : '(hidden)',
      'must be 64 lowercase hex characters',
      () => typeof k.sha256 === 'string' && /^[0-9a-f]{64}$/.test(k.sha256),
    );
    c.rule(
      `${at}.streams`,
      k?.streams,
      'must list stream names',
      (s) => Array.isArray(s) && s.every((n) => typeof n === 'string' && CONTRACT_NAME.test(n)),
    );
  });
  c.throwIfAny();
  return raw as ApiKeyFile;
}
