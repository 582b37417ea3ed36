import { dev } from './dev';
import { prod } from './prod';
import { staging } from './staging';
import type { EnvironmentConfig } from './types';

export const ENVIRONMENTS: readonly EnvironmentConfig[] = [dev, staging, prod];
