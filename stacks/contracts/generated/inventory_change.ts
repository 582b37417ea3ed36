// Generated from the Tributary contract "inventory_change" v1.0.0. Do not edit; run npm run contracts:generate.

/**
 * inventory_change v1.0.0: A signed change to the stock of one product in one warehouse.
 * Owner: fulfilment-team@example.com. Key: change_id. Event time: change_time.
 * Unknown fields: rejected.
 */
export interface InventoryChange {
  /** Identifier of this change (UUID). */
  readonly change_id: string;
  /** Product (SKU) identifier. */
  readonly product_id: string;
  /** Warehouse identifier. */
  readonly warehouse_id: string;
  /** Units added (positive) or removed (negative). int64: a JSON integer within ±(2^53 - 1). */
  readonly quantity_change: number;
  /** Why the stock changed. */
  readonly reason: "RECEIVED" | "SOLD" | "RETURNED" | "DAMAGED" | "ADJUSTMENT" | "TRANSFER_IN" | "TRANSFER_OUT";
  /** Free-text note from the operator. */
  readonly note?: string | null;
  /** When the stock changed. timestamp: RFC 3339 with a time zone, e.g. 2026-01-31T12:00:00Z. */
  readonly change_time: string;
}
