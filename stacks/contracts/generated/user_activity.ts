// Generated from the Tributary contract "user_activity" v1.0.0. Do not edit; run npm run contracts:generate.

/**
 * user_activity v1.0.0: One interaction of a user with the web or mobile app.
 * Owner: growth-analytics@example.com. Key: activity_id. Event time: activity_time.
 * Unknown fields: rejected.
 */
export interface UserActivity {
  /** Identifier of this activity (UUID). */
  readonly activity_id: string;
  /** User who acted. Personal data (PII). */
  readonly user_id: string;
  /** What the user did. */
  readonly activity_type: "PAGE_VIEW" | "CLICK" | "SEARCH" | "ADD_TO_CART" | "LOGIN" | "LOGOUT";
  /** Client IP address as seen by the gateway. Personal data (PII). */
  readonly ip_address: string;
  /** Client user agent string. */
  readonly user_agent?: string | null;
  /** When the user acted. timestamp: RFC 3339 with a time zone, e.g. 2026-01-31T12:00:00Z. */
  readonly activity_time: string;
  /** Session the activity belongs to. */
  readonly session: UserActivitySession;
}

/**
 * Session the activity belongs to.
 */
export interface UserActivitySession {
  /** Session identifier. */
  readonly session_id: string;
  /** Kind of device. */
  readonly device_type: "DESKTOP" | "MOBILE" | "TABLET" | "OTHER";
  /** Referring URL. */
  readonly referrer?: string | null;
  /** Page or screen. */
  readonly page?: string | null;
  /** Time spent on the page, in milliseconds. int64: a JSON integer within ±(2^53 - 1). */
  readonly duration_ms?: number | null;
}
