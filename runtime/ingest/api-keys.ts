/**
 * Partner API keys: the mounted key file holds only SHA-256 hashes, each mapped to the streams the key may
 * write. A key names its record (`trbk_<id>_<secret>`), so checking it is one lookup and one constant-time
 * comparison. The file is re-read periodically, so a rotated key applies without a restart; a file that
 * fails to parse keeps the previous keys and is reported, never half-applied.
 */
import { timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import { API_KEY, type ApiKeyRecord, hashApiKey, parseApiKeyFile } from '../../contracts/gateway';

export type KeyCheck =
  | { readonly ok: true; readonly id: string; readonly streams: ReadonlySet<string> }
  | { readonly ok: false };

export interface KeyStoreLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export class ApiKeyStore {
  private records = new Map<string, { readonly hash: Buffer; readonly streams: ReadonlySet<string> }>();
  private timer?: NodeJS.Timeout;
  private loadedText?: string;

  /** Loads the file now (throwing on a bad file) and re-reads it every `reloadMs`. */
  public static fromFile(path: string, reloadMs: number, log: KeyStoreLogger): ApiKeyStore {
    const store = new ApiKeyStore();
    store.load(fs.readFileSync(path, 'utf8'), path);
    log.info({ keys: store.records.size }, 'partner API keys loaded');
    store.timer = setInterval(() => {
      try {
        const text = fs.readFileSync(path, 'utf8');
        if (text === store.loadedText) return;
        store.load(text, path);
        log.info({ keys: store.records.size }, 'partner API keys reloaded');
      } catch (error) {
        log.error(
          { err: { message: (error as Error).message } },
          'partner API key file unusable; keeping the previous keys',
        );
      }
    }, reloadMs);
    store.timer.unref();
    return store;
  }

  public static fromRecords(records: readonly ApiKeyRecord[]): ApiKeyStore {
    const store = new ApiKeyStore();
    store.load(JSON.stringify({ keysVersion: 1, keys: records }), '(records)');
    return store;
  }

  private load(text: string, source: string): void {
    const file = parseApiKeyFile(text, source);
    const next = new Map<string, { hash: Buffer; streams: ReadonlySet<string> }>();
    for (const k of file.keys)
      next.set(k.id, { hash: Buffer.from(k.sha256, 'hex'), streams: new Set(k.streams) });
    this.records = next;
    this.loadedText = text;
  }

  public get size(): number {
    return this.records.size;
  }

  public check(key: string): KeyCheck {
    const m = API_KEY.exec(key);
    const record = m ? this.records.get(m[1] as string) : undefined;
    if (!m || !record) return { ok: false };
    const hash = Buffer.from(hashApiKey(key), 'hex');
    return timingSafeEqual(hash, record.hash)
      ? { ok: true, id: m[1] as string, streams: record.streams }
      : { ok: false };
  }

  public close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
