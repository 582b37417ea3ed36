/**
 * The Dataform project of an environment, exactly as its stack generates it (the stack's `models.json` hashes the
 * same files): built by constructing the environment's stack, without synthesizing it.
 */
import { Testing } from 'cdktf';
import type { WarehouseProject } from '../models/project';
import { EnvironmentStack } from '../stacks/environment-stack';
import { ENVIRONMENTS } from '../stacks/environments/index';
import type { EnvironmentConfig } from '../stacks/environments/types';

export function environmentOf(name: string): EnvironmentConfig {
  const env = ENVIRONMENTS.find((e) => e.name === name);
  if (!env)
    throw new Error(
      `--env ${JSON.stringify(name)}: not an environment (${ENVIRONMENTS.map((e) => e.name).join(', ')})`,
    );
  return env;
}

export function environmentProject(env: EnvironmentConfig): WarehouseProject {
  const stack = new EnvironmentStack(Testing.app(), env);
  const models = stack.platform.models;
  if (!models)
    throw new Error(`environment ${env.name} has no models section (stacks/environments/${env.name}.ts)`);
  return models.project;
}
