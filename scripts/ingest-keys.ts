/**
 * `npm run ingest:keys -- <add|remove|list> ...`: manages the partner API key file the ingest gateway reads
 * from Secret Manager. Keys are generated here and printed once (on stderr); the file keeps only their
 * SHA-256. The new file goes to stdout, ready for Secret Manager:
 *
 *   gcloud secrets versions access latest --secret=trb-prod-ingest-api-keys > keys.json
 *   npm run --silent ingest:keys -- add acme --streams order,app_event --file keys.json \
 *     | gcloud secrets versions add trb-prod-ingest-api-keys --data-file=-
 *
 * The gateway re-reads the mounted file every minute, so no redeploy is needed.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { API_KEY_ID, type ApiKeyFile, hashApiKey, parseApiKeyFile } from '../contracts/gateway';
import { CONTRACTS } from '../stacks/contracts/index';
import { parseCommandLine, UsageError } from './cli';

const USAGE =
  'ingest:keys -- add <id> --streams a,b [--file keys.json] | remove <id> --file keys.json | list --file keys.json';

/** The streams a key may write: those the platform has (one per example contract). */
export const KNOWN_STREAMS: readonly string[] = CONTRACTS.map((c) => c.name);

export function addKey(
  file: ApiKeyFile,
  id: string,
  streams: readonly string[],
  knownStreams: readonly string[] = KNOWN_STREAMS,
): { file: ApiKeyFile; key: string } {
  if (!API_KEY_ID.test(id)) throw new Error(`key id ${JSON.stringify(id)} must match ${API_KEY_ID.source}`);
  if (file.keys.some((k) => k.id === id)) throw new Error(`key id ${id} exists; remove it first to rotate`);
  if (streams.length === 0) throw new Error('--streams must name at least one stream');
  const unknown = streams.filter((s) => !knownStreams.includes(s));
  if (unknown.length > 0)
    throw new Error(
      `--streams names streams the platform does not have: ${unknown.join(', ')} (known: ${knownStreams.join(', ')})`,
    );
  const key = `trbk_${id}_${randomBytes(32).toString('base64url')}`;
  const next: ApiKeyFile = {
    keysVersion: 1,
    keys: [...file.keys, { id, sha256: hashApiKey(key), streams: [...streams] }],
  };
  // Round-trip through the parser: what is written is exactly what the gateway accepts.
  return { file: parseApiKeyFile(JSON.stringify(next), 'new key file'), key };
}

export function removeKey(file: ApiKeyFile, id: string): ApiKeyFile {
  if (!file.keys.some((k) => k.id === id)) throw new Error(`no key with id ${id}`);
  return { keysVersion: 1, keys: file.keys.filter((k) => k.id !== id) };
}

export function main(
  argv: readonly string[],
  io: { out: (s: string) => void; err: (s: string) => void },
): number {
  try {
    const { values, positionals } = parseCommandLine(
      argv,
      { file: { type: 'string' }, streams: { type: 'string' } },
      USAGE,
      2,
    );
    const [command, id] = positionals;
    const needsId = command === 'add' || command === 'remove';
    if (!['add', 'remove', 'list'].includes(command ?? '') || (needsId && !id) || (!needsId && id))
      throw new UsageError(`expected add <id>, remove <id> or list\nusage: ${USAGE}`);
    if (command !== 'add' && values.file === undefined)
      throw new UsageError(`${command} needs --file <the current key file>\nusage: ${USAGE}`);
    if (command !== 'add' && values.streams !== undefined)
      throw new UsageError(`--streams applies to add only\nusage: ${USAGE}`);
    const current: ApiKeyFile =
      values.file !== undefined
        ? parseApiKeyFile(fs.readFileSync(values.file, 'utf8'), values.file)
        : { keysVersion: 1, keys: [] };
    if (command === 'list') {
      for (const k of current.keys) io.out(`${k.id}\t${k.streams.join(',')}\n`);
      return 0;
    }
    if (command === 'add') {
      const streams = (values.streams ?? '').split(',').filter(Boolean);
      const { file, key } = addKey(current, id as string, streams);
      io.err(`New API key for ${id} (shown once; hand it to the partner over a secure channel):\n${key}\n`);
      io.out(`${JSON.stringify(file, null, 2)}\n`);
      return 0;
    }
    io.out(`${JSON.stringify(removeKey(current, id as string), null, 2)}\n`);
    return 0;
  } catch (error) {
    io.err(`ingest:keys: ${(error as Error).message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
  });
}
