/**
 * ZetaSQL, BigQuery's analyzer, as a local server (the binary @fivetrandevelopers/zetasql ships) and a gRPC
 * client of its own (the package's client is a process-wide singleton and its server never stops). The server
 * runs under a small watchdog that kills it when this process goes, even by SIGKILL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as protobuf from 'protobufjs';

const ZDIR = path.join(path.dirname(require.resolve('@fivetrandevelopers/zetasql')), 'zetasql');
const BINARY = path.join(
  ZDIR,
  `remote_server${process.arch.startsWith('arm') ? '_arm' : ''}${process.platform === 'darwin' ? '' : '.so'}`,
);

const WATCHDOG = `
const { spawn } = require('child_process');
const [bin, host, port] = process.argv.slice(1);
const c = spawn(bin, [host, port], { stdio: ['ignore', 'inherit', 'inherit'] });
let dying = false;
const die = () => { if (dying) return; dying = true; try { c.kill('SIGKILL'); } catch {} setTimeout(() => process.exit(0), 2000).unref(); };
process.stdin.on('end', die); process.stdin.on('error', die); process.stdin.resume();
for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(s, die);
c.on('exit', (code) => process.exit(dying ? 0 : code == null ? 1 : code));
`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

// biome-ignore lint/suspicious/noExplicitAny: gRPC messages are protobuf-shaped plain objects.
export type Message = any;

export interface ZetaSqlClient {
  analyze(request: Message): Promise<Message>;
  parse(request: Message): Promise<Message>;
  registerCatalog(request: Message): Promise<Message>;
  unregisterCatalog(request: Message): Promise<Message>;
  getLanguageOptions(request: Message): Promise<Message>;
}

export interface ZetaSqlServer {
  readonly port: number;
  readonly client: ZetaSqlClient;
  stop(): Promise<void>;
}

export function zetaSqlAvailable(): boolean {
  return fs.existsSync(BINARY);
}

/** Starts a server on a free port (a second server on a used port would start silently: SO_REUSEPORT). */
export async function startZetaSql(timeoutMs = 30_000): Promise<ZetaSqlServer> {
  const port = await freePort();
  const proc: ChildProcess = spawn(process.execPath, ['-e', WATCHDOG, BINARY, 'localhost', String(port)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`ZetaSQL server did not start in ${timeoutMs} ms: ${out}`)),
      timeoutMs,
    );
    const onData = (d: Buffer) => {
      out += d.toString();
      if (/Server listening/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ZetaSQL server exited (${code}): ${out}`));
    });
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  const definition = protoLoader.loadSync('local_service.proto', {
    defaults: true,
    oneofs: true,
    includeDirs: [path.join(ZDIR, 'protos')],
  });
  // biome-ignore lint/suspicious/noExplicitAny: generated gRPC service constructor.
  const pkg = grpc.loadPackageDefinition(definition) as any;
  const raw = new pkg.zetasql.local_service.ZetaSqlLocalService(
    `localhost:${port}`,
    grpc.credentials.createInsecure(),
    {
      'grpc.max_send_message_length': 256 * 1024 * 1024,
      'grpc.max_receive_message_length': 256 * 1024 * 1024,
    },
  );
  const call = (name: string) => (request: Message) =>
    new Promise<Message>((resolve, reject) =>
      raw[name](request, (e: Error | null, r: Message) => (e ? reject(e) : resolve(r))),
    );
  const client: ZetaSqlClient = {
    analyze: call('analyze'),
    parse: call('parse'),
    registerCatalog: call('registerCatalog'),
    unregisterCatalog: call('unregisterCatalog'),
    getLanguageOptions: call('getLanguageOptions'),
  };
  return {
    port,
    client,
    stop: () =>
      new Promise<void>((resolve) => {
        raw.close();
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.stdin?.end();
        proc.kill('SIGTERM');
      }),
  };
}

/** An analysis failure: ZetaSQL's message and where it points. */
export interface ZetaSqlError {
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

export function zetaSqlError(e: unknown): ZetaSqlError {
  const details = (e as { details?: string }).details ?? (e as Error).message ?? String(e);
  const m = /^(.*) \[at (\d+):(\d+)\]$/s.exec(details);
  return m ? { message: m[1] as string, line: Number(m[2]), column: Number(m[3]) } : { message: details };
}

let root: protobuf.Root | undefined;
/** The server's protos, for encoding nested messages (a TVF's custom context). */
export function zetaSqlProtos(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    const inc = path.join(ZDIR, 'protos');
    r.resolvePath = (origin, target) => {
      const candidate = path.join(inc, target);
      return fs.existsSync(candidate) ? candidate : protobuf.util.path.resolve(origin, target);
    };
    r.loadSync('local_service.proto', { keepCase: false });
    root = r;
  }
  return root;
}
