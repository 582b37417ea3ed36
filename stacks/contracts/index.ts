import type { Contract } from '../../contracts/model';
import { appEvent } from './app-event';
import { inventoryChange } from './inventory-change';
import { order } from './order';
import { userActivity } from './user-activity';

/** The example contracts every environment provisions a stream for. */
export const CONTRACTS: readonly Contract[] = [order, inventoryChange, userActivity, appEvent];
