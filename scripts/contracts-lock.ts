/**
 * `npm run contracts:lock` writes stacks/contracts/contracts.lock.json from the current contracts: the
 * released set that synth guards tables against. Run it when a release has been deployed, and review the diff
 * like any schema change. `--check` only reports whether the lock differs.
 */
import * as fs from 'node:fs';
import { serializeLock } from '../contracts/lock';
import { CONTRACTS_DIR, LOCK_FILE, loadContractDir } from './contract-sources';

const text = serializeLock(loadContractDir(CONTRACTS_DIR));
const current = fs.existsSync(LOCK_FILE) ? fs.readFileSync(LOCK_FILE, 'utf8') : '';
if (process.argv.includes('--check')) {
  process.stdout.write(
    text === current
      ? 'contracts:lock: the lock matches the contracts\n'
      : 'contracts:lock: the contracts differ from the lock\n',
  );
  process.exitCode = text === current ? 0 : 1;
} else {
  fs.writeFileSync(LOCK_FILE, text);
  process.stdout.write(`contracts:lock: wrote ${LOCK_FILE}\n`);
}
