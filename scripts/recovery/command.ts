/** What the recovery scripts share on their command lines: the stream they act on, rates, and their ports. */
import type { PubSub } from '@google-cloud/pubsub';
import type { Storage } from '@google-cloud/storage';
import { UsageError } from '../cli';
import type { Clock } from './rate';
import type { StreamTargets } from './targets';

/** The options every recovery script takes. */
export const STREAM_OPTIONS = {
  env: { type: 'string' },
  stream: { type: 'string' },
  rate: { type: 'string' },
  'dry-run': { type: 'boolean' },
} as const;

/** Clients and clock a test passes in; the scripts make the real ones otherwise. */
export interface RecoveryDeps {
  readonly storage?: Storage;
  readonly pubsub?: PubSub;
  readonly clock?: Clock;
  readonly targets?: StreamTargets;
}

/** `--env` and `--stream`, both required. */
export function requireStream(
  values: { readonly env?: string; readonly stream?: string },
  usage: string,
): { env: string; stream: string } {
  if (!values.env) throw new UsageError(`--env is required\nusage: ${usage}`);
  if (!values.stream) throw new UsageError(`--stream is required\nusage: ${usage}`);
  return { env: values.env, stream: values.stream };
}

export function positiveNumber(
  flag: string,
  value: string | undefined,
  fallback: number,
  whole = false,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0) || (whole && !Number.isInteger(n)))
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: must be a positive ${whole ? 'whole ' : ''}number`,
    );
  return n;
}
