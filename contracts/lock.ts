/**
 * The contract lock: the released contract set, stored as the contracts themselves, plus every table version a
 * release has left behind. Synth compares the working contracts against it to refuse a change that would
 * replace a protected table, and keeps retired table versions provisioned so Terraform never drops them.
 * Updating it is an explicit, reviewed step (`npm run contracts:lock`).
 */

import { parseJson } from '../core/validation';
import { assertValidContract } from './dsl';
import type { Contract } from './model';

export interface ContractLock {
  readonly lockVersion: 1;
  /** The released version of each contract. */
  readonly contracts: readonly Contract[];
  /** Contracts whose table version was superseded; their tables are kept (retired), never dropped by a release. */
  readonly retired: readonly Contract[];
}

const byName = (a: Contract, b: Contract) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.tableVersion - b.tableVersion;

/**
 * The lock after releasing `contracts` on top of `previous`: a contract whose table version went up moves its
 * previously released version to `retired`.
 */
export function releaseLock(contracts: readonly Contract[], previous?: ContractLock): ContractLock {
  const retired = [...(previous?.retired ?? [])];
  for (const old of previous?.contracts ?? []) {
    const next = contracts.find((c) => c.name === old.name);
    const known = retired.some((r) => r.name === old.name && r.tableVersion === old.tableVersion);
    if (next && next.tableVersion > old.tableVersion && !known) retired.push(old);
  }
  return { lockVersion: 1, contracts: [...contracts].sort(byName), retired: retired.sort(byName) };
}

export function serializeLock(lock: ContractLock): string {
  return `${JSON.stringify({ lockVersion: 1, contracts: [...lock.contracts].sort(byName), retired: [...lock.retired].sort(byName) }, null, 2)}\n`;
}

/** Parses and validates a lock; errors name the source and what is wrong. */
export function parseLock(text: string, source: string): ContractLock {
  const raw = parseJson(text, source);
  const lock = raw as Partial<ContractLock>;
  if (lock?.lockVersion !== 1 || !Array.isArray(lock.contracts) || !Array.isArray(lock.retired ?? [])) {
    throw new Error(`${source}: expected {"lockVersion": 1, "contracts": [...], "retired": [...]}`);
  }
  const names = lock.contracts.map((c) => c?.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new Error(`${source}: contract "${dup}" appears twice`);
  return {
    lockVersion: 1,
    contracts: lock.contracts.map((c) => assertValidContract(c)),
    retired: (lock.retired ?? []).map((c) => assertValidContract(c)),
  };
}
