import * as path from 'node:path';
import type { Contract } from '../../contracts/model';
import { appEvent } from './app-event';
import { inventoryChange } from './inventory-change';
import { order } from './order';
import { userActivity } from './user-activity';

/** The example contracts every environment provisions a stream for. */
export const CONTRACTS: readonly Contract[] = [order, inventoryChange, userActivity, appEvent];

/** The released contracts every change is checked against (`npm run contracts:lock` writes it). */
export const LOCK_PATH = path.join(__dirname, 'contracts.lock.json');
