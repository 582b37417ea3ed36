// Generated from the Tributary contract "order" v1.0.0. Do not edit; run npm run contracts:generate.

/**
 * order v1.0.0: A customer order as placed in the web or mobile shop, with its line items and shipping address.
 * Owner: orders-team@example.com. Key: order_id. Event time: order_time.
 * Unknown fields: rejected.
 */
export interface Order {
  /** Order identifier, unique per order. */
  readonly order_id: string;
  /** Customer who placed the order. Personal data (PII). */
  readonly customer_id: string;
  /** Order status at the time of the event. */
  readonly status: "PENDING" | "PAID" | "SHIPPED" | "DELIVERED" | "CANCELLED" | "REFUNDED";
  /** ISO 4217 currency of every amount in the order. */
  readonly currency: string;
  /** Products ordered. */
  readonly line_items: OrderLineItems[];
  /** Where the order ships; absent for digital goods. Personal data (PII). */
  readonly shipping_address?: OrderShippingAddress | null;
  /** Order total including tax and shipping. numeric: a decimal string. */
  readonly total_amount: string;
  /** When the order was placed or changed. timestamp: RFC 3339 with a time zone, e.g. 2026-01-31T12:00:00Z. */
  readonly order_time: string;
}

/**
 * Where the order ships; absent for digital goods.
 */
export interface OrderShippingAddress {
  /** Street and number. */
  readonly line1: string;
  /** Apartment, suite or unit. */
  readonly line2?: string | null;
  /** City or town. */
  readonly city: string;
  /** Postal code as written locally. */
  readonly postal_code?: string | null;
  /** ISO 3166-1 alpha-2 country. */
  readonly country_code: string;
}

/**
 * Products ordered.
 */
export interface OrderLineItems {
  /** Product (SKU) identifier. */
  readonly product_id: string;
  /** Units ordered. int64: a JSON integer within ±(2^53 - 1). */
  readonly quantity: number;
  /** Price of one unit. numeric: a decimal string. */
  readonly unit_price: string;
}
