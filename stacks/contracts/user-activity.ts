import { defineContract, field, t } from '../../contracts/dsl';

export const userActivity = defineContract({
  name: 'user_activity',
  version: '1.0.0',
  description: 'One interaction of a user with the web or mobile app.',
  owner: 'growth-analytics@example.com',
  fields: [
    field('activity_id', 'Identifier of this activity (UUID).', t.string({ format: 'uuid' })),
    field('user_id', 'User who acted.', t.string({ minLength: 1, maxLength: 64 }), { pii: true }),
    field(
      'activity_type',
      'What the user did.',
      t.enum(['PAGE_VIEW', 'CLICK', 'SEARCH', 'ADD_TO_CART', 'LOGIN', 'LOGOUT']),
    ),
    field('ip_address', 'Client IP address as seen by the gateway.', t.string({ format: 'ip' }), {
      pii: true,
    }),
    field('user_agent', 'Client user agent string.', t.string({ maxLength: 1024 }), { optional: true }),
    field('activity_time', 'When the user acted.', t.timestamp()),
    field(
      'session',
      'Session the activity belongs to.',
      t.record([
        field('session_id', 'Session identifier.', t.string({ minLength: 1, maxLength: 64 })),
        field('device_type', 'Kind of device.', t.enum(['DESKTOP', 'MOBILE', 'TABLET', 'OTHER'])),
        field('referrer', 'Referring URL.', t.string({ format: 'uri', maxLength: 2048 }), { optional: true }),
        field('page', 'Page or screen.', t.string({ maxLength: 2048 }), { optional: true }),
        field('duration_ms', 'Time spent on the page, in milliseconds.', t.int64({ min: 0 }), {
          optional: true,
        }),
      ]),
    ),
  ],
  key: ['activity_id'],
  eventTime: 'activity_time',
  partitioning: { granularity: 'HOUR' },
  clustering: ['user_id', 'activity_type'],
});
