// Generated from the Tributary contract "app_event" v1.0.0. Do not edit; run npm run contracts:generate.

/**
 * app_event v1.0.0: A product event from the web and mobile apps (CRED event pipeline).
 * Owner: data-platform@example.com. Key: user_id, event_type, event_timestamp. Event time: event_timestamp.
 * Unknown fields: rejected.
 */
export interface AppEvent {
  /** User the event is about. Personal data (PII). */
  readonly user_id: string;
  /** Event name in snake_case, e.g. purchase. */
  readonly event_type: string;
  /** When the event happened on the client. timestamp: RFC 3339 with a time zone, e.g. 2026-01-31T12:00:00Z. */
  readonly event_timestamp: string;
  /** Event details. */
  readonly metadata?: AppEventMetadata | null;
}

/**
 * Event details.
 */
export interface AppEventMetadata {
  /** Monetary amount of the event. numeric: a decimal string. */
  readonly amount?: string | null;
  /** ISO 4217 currency of the amount. */
  readonly currency?: string | null;
}
