/**
 * Decides which raw tables each contract gets, given the released contracts (the lock), and refuses at synth a
 * change that would make Terraform replace (drop and recreate) a table where deletion protection is on.
 */
import { type ContractReport, compareContract } from '../../../contracts/compat';
import { rawTableId } from '../../../contracts/generators/bigquery';
import type { ContractLock } from '../../../contracts/lock';
import type { Contract } from '../../../contracts/model';
import { Checks } from '../../../core/validation';

export interface ContractPlan {
  readonly contract: Contract;
  /** Older table versions still provisioned (retired) so they are never dropped. */
  readonly retired: readonly Contract[];
  /** Comparison with the released version, when there is one. */
  readonly report?: ContractReport;
}

export interface GuardOptions {
  /** Construct path, for the error subject. */
  readonly subject: string;
  readonly deletionProtection: boolean;
  /** CMEK key of the raw tables (a change replaces them). */
  readonly kmsKeyName?: string;
}

export function planContracts(
  contracts: readonly Contract[],
  lock: ContractLock | undefined,
  options: GuardOptions,
): ContractPlan[] {
  const checks = new Checks(`${options.subject}: contract changes against the released lock`);
  const names = contracts.map((c) => c.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) checks.fail(`contracts.${dup}`, dup, 'each contract name may appear once');

  const plans = contracts.map((contract): ContractPlan => {
    const released = lock?.contracts.find((c) => c.name === contract.name);
    const retired = (lock?.retired ?? []).filter(
      (r) => r.name === contract.name && r.tableVersion < contract.tableVersion,
    );
    if (!released) return { contract, retired };
    const report = compareContract(released, contract, {
      before: { kmsKeyName: options.kmsKeyName },
      after: { kmsKeyName: options.kmsKeyName },
    });
    if (contract.tableVersion < released.tableVersion) {
      checks.fail(
        `contracts.${contract.name}.tableVersion`,
        contract.tableVersion,
        `must not go below the released table version ${released.tableVersion}`,
      );
    }
    if (report.table.verdict === 'replace' && options.deletionProtection) {
      const why = report.table.changes
        .filter((c) => c.impact === 'replace')
        .map((c) => `${c.path}: ${c.change}`)
        .join('; ');
      checks.fail(
        `contracts.${contract.name}`,
        contract.version,
        `would replace the protected table ${rawTableId(released)} (${why}); declare a migration by raising tableVersion to ${released.tableVersion + 1}, which creates ${rawTableId({ name: contract.name, tableVersion: released.tableVersion + 1 })} and keeps ${rawTableId(released)}`,
      );
    }
    // A released table version the contract has moved past stays provisioned until the lock retires it.
    const keep = contract.tableVersion > released.tableVersion ? [...retired, released] : retired;
    return { contract, retired: keep, report };
  });

  if (options.deletionProtection) {
    for (const released of lock?.contracts ?? []) {
      if (!names.includes(released.name)) {
        checks.fail(
          `contracts.${released.name}`,
          '(removed)',
          `is released but missing: its protected table ${rawTableId(released)} would be destroyed; keep the contract or retire it in the lock first`,
        );
      }
    }
  }
  checks.throwIfAny();
  return plans;
}
