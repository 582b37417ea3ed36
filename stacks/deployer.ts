import { deterministicName } from '../core/names';
import type { EnvironmentConfig } from './environments/types';

/**
 * The deployer service account of an environment. The bootstrap stack creates it and the environment stack
 * lets it act as the runtime identities, so both derive the id from this one function.
 */
export function deployerAccountId(config: Pick<EnvironmentConfig, 'foundation'>): string {
  return deterministicName([config.foundation.namePrefix, 'deployer'], 30);
}

export function deployerEmail(config: Pick<EnvironmentConfig, 'foundation'>): string {
  return `${deployerAccountId(config)}@${config.foundation.project}.iam.gserviceaccount.com`;
}

/** The read-only planner service account of an environment (bootstrap creates it, the environment grants it reads). */
export function plannerAccountId(config: Pick<EnvironmentConfig, 'foundation'>): string {
  return deterministicName([config.foundation.namePrefix, 'planner'], 30);
}

export function plannerEmail(config: Pick<EnvironmentConfig, 'foundation'>): string {
  return `${plannerAccountId(config)}@${config.foundation.project}.iam.gserviceaccount.com`;
}
