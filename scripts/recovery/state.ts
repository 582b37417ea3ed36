/**
 * A resumable job's progress in a JSON file, replaced atomically (write, fsync, rename), so a kill at any moment
 * leaves either the previous state or the next one, never a torn file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function readState<T>(file: string): T | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (error) {
    throw new Error(
      `${file}: not a readable state file (${(error as Error).message}); remove it to start over`,
    );
  }
}

export function writeState(file: string, state: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, `${JSON.stringify(state, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
