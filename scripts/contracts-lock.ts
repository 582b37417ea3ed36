/**
 * `npm run contracts:lock` records the current contracts as released in stacks/contracts/contracts.lock.json.
 * Synth guards raw tables against the lock, and keeps the tables of superseded table versions (the lock's
 * `retired` list) so a release never drops them. Run it once a release is deployed and review the diff like
 * any schema change. `--check` only reports whether the lock differs.
 */
import * as fs from 'node:fs';
import { parseLock, releaseLock, serializeLock } from '../contracts/lock';
import { parseCommandLine, runScript } from './cli';
import { CONTRACTS_DIR, LOCK_FILE, loadContractDir } from './contract-sources';

runScript('contracts:lock', () => {
  const { values } = parseCommandLine(
    process.argv.slice(2),
    { check: { type: 'boolean' } },
    'contracts:lock [-- --check]',
  );
  const current = fs.existsSync(LOCK_FILE) ? fs.readFileSync(LOCK_FILE, 'utf8') : '';
  const previous = current ? parseLock(current, LOCK_FILE) : undefined;
  const text = serializeLock(releaseLock(loadContractDir(CONTRACTS_DIR), previous));
  if (values.check) {
    process.stdout.write(
      text === current
        ? 'contracts:lock: the lock matches the contracts\n'
        : 'contracts:lock: the contracts differ from the lock\n',
    );
    return text === current ? 0 : 1;
  }
  fs.writeFileSync(LOCK_FILE, text);
  process.stdout.write(`contracts:lock: wrote ${LOCK_FILE}\n`);
  return 0;
});
