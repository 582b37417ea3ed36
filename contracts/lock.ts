/**
 * The contract lock: the released contract set, stored as the contracts themselves. Synth compares the
 * working contracts against it to refuse a change that would replace a protected table; updating it is an
 * explicit, reviewed step (`npm run contracts:lock`).
 */
import { assertValidContract } from './dsl';
import type { Contract } from './model';

export interface ContractLock {
  readonly lockVersion: 1;
  readonly contracts: readonly Contract[];
}

export function serializeLock(contracts: readonly Contract[]): string {
  const sorted = [...contracts].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const lock: ContractLock = { lockVersion: 1, contracts: sorted };
  return `${JSON.stringify(lock, null, 2)}\n`;
}

/** Parses and validates a lock; errors name the source and what is wrong. */
export function parseLock(text: string, source: string): Contract[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${source}: not valid JSON (${(error as Error).message})`);
  }
  const lock = raw as Partial<ContractLock>;
  if (lock?.lockVersion !== 1 || !Array.isArray(lock.contracts)) {
    throw new Error(`${source}: expected {"lockVersion": 1, "contracts": [...]}`);
  }
  const names = lock.contracts.map((c) => c?.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new Error(`${source}: contract "${dup}" appears twice`);
  return lock.contracts.map((c) => assertValidContract(c));
}
