import { defineContract, field, t } from '../../contracts/dsl';

/**
 * The app event of the CRED design doc (seeds): user_id, event_type, event_timestamp and metadata with amount
 * and currency. `amount` is NUMERIC and therefore travels as a decimal string ("42.50"), so sums stay exact.
 */
export const appEvent = defineContract({
  name: 'app_event',
  version: '1.0.0',
  description: 'A product event from the web and mobile apps (CRED event pipeline).',
  owner: 'data-platform@example.com',
  fields: [
    field('user_id', 'User the event is about.', t.string({ minLength: 1, maxLength: 64 }), { pii: true }),
    field(
      'event_type',
      'Event name in snake_case, e.g. purchase.',
      t.string({ pattern: '[a-z][a-z0-9_]{0,63}' }),
    ),
    field('event_timestamp', 'When the event happened on the client.', t.timestamp()),
    field(
      'metadata',
      'Event details.',
      t.record([
        field('amount', 'Monetary amount of the event.', t.numeric({ precision: 18, scale: 2, min: '0' }), {
          optional: true,
        }),
        field('currency', 'ISO 4217 currency of the amount.', t.string({ pattern: '[A-Z]{3}' }), {
          optional: true,
        }),
      ]),
      { optional: true },
    ),
  ],
  key: ['user_id', 'event_type', 'event_timestamp'],
  eventTime: 'event_timestamp',
  clustering: ['user_id', 'event_type'],
});
