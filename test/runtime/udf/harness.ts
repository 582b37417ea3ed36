/**
 * Runs generated UDF scripts the way Dataflow does: the script alone, in an engine with nothing but the
 * language's globals, calling `transform(payload)`. Node runs them in a fresh `node:vm` context; Debian's
 * `rhino` (a JVM engine, standing in for Nashorn) runs them through the driver below. Both produce the same
 * line format, so their outputs compare as strings.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { UDF_FUNCTION_NAME } from '../../../contracts/generators/udf';

export type UdfOutcome = { readonly ok: string } | { readonly error: string };

export interface VmUdf {
  readonly transform: (payload: unknown) => string;
  /** The context's own Error, so tests can check a throw is a real Error of that realm. */
  readonly ErrorType: ErrorConstructor;
}

export function loadInVm(script: string): VmUdf {
  const context = vm.createContext(Object.create(null));
  vm.runInContext(script, context, { filename: 'udf.js' });
  const transform = context[UDF_FUNCTION_NAME];
  if (typeof transform !== 'function')
    throw new Error(`the script defines no ${UDF_FUNCTION_NAME}() function`);
  return { transform, ErrorType: vm.runInContext('Error', context) };
}

/** Escapes every non-ASCII character so that engine and console encodings cannot differ. */
export function asciiSafe(s: string): string {
  return s.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function outcomeLine(run: () => string): string {
  let outcome: UdfOutcome;
  try {
    outcome = { ok: run() };
  } catch (e) {
    outcome = { error: String((e as Error).message) };
  }
  return asciiSafe(JSON.stringify(outcome));
}

/** Node's answer for each payload line, in the driver's line format. */
export function runOnNode(script: string, payloads: readonly string[]): string[] {
  const udf = loadInVm(script);
  return payloads.map((p) => outcomeLine(() => udf.transform(p)));
}

// ES5 for Rhino's shell: load() the bundle, read the payloads file, print one outcome per line.
const RHINO_DRIVER = `
load(arguments[0]);
var lines = String(readFile(arguments[1], 'UTF-8')).split('\\n');
function asciiSafe(s) {
  return s.replace(/[\\u007f-\\uffff]/g, function (c) {
    var h = c.charCodeAt(0).toString(16);
    while (h.length < 4) h = '0' + h;
    return '\\\\u' + h;
  });
}
for (var i = 0; i < lines.length; i++) {
  if (lines[i] === '') continue;
  var outcome;
  try {
    outcome = { ok: ${UDF_FUNCTION_NAME}(lines[i]) };
  } catch (e) {
    outcome = { error: String(e.message) };
  }
  print(asciiSafe(JSON.stringify(outcome)));
}
`;

export const RHINO = 'rhino';

/** Rhino's answer for each payload line (payloads must not contain raw newlines: they travel as NDJSON). */
export async function runOnRhino(bundleFile: string, payloads: readonly string[]): Promise<string[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-rhino-'));
  try {
    const driver = path.join(dir, 'driver.js');
    const input = path.join(dir, 'payloads.ndjson');
    fs.writeFileSync(driver, RHINO_DRIVER);
    fs.writeFileSync(input, `${payloads.join('\n')}\n`);
    const { code, stdout, stderr } = await exec(RHINO, ['-opt', '-1', driver, bundleFile, input]);
    if (code !== 0) throw new Error(`${RHINO} exited with ${code}: ${stderr}`);
    return stdout.split('\n').filter((l) => l !== '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function exec(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Replaces the one value that legitimately differs between two runs: when the event was stamped. */
export function maskIngestTime(line: string): string {
  return line.replace(/\\"ingest_time\\":\\"[^\\"]*\\"/g, '\\"ingest_time\\":\\"<masked>\\"');
}
