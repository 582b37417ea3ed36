/**
 * Google Cloud name patterns needed on both sides of the platform: the constructs (which write names) and the
 * runtimes and generated files (which read them). Regex sources, so each can be embedded in a larger pattern or
 * in a Flex Template's metadata.
 */

/** A project id: 6-30 characters of lowercase letters, digits and hyphens, starting with a letter. */
export const PROJECT_ID_SOURCE = '[a-z][a-z0-9-]{4,28}[a-z0-9]';

/** A topic, subscription or schema id: 3-255 characters, starting with a letter. */
export const PUBSUB_ID_SOURCE = '[A-Za-z][A-Za-z0-9._~+%-]{2,254}';

export const PROJECT_ID_PATTERN = new RegExp(`^${PROJECT_ID_SOURCE}$`);

/** `projects/<project>/topics/<topic>` */
export const TOPIC_NAME_SOURCE = `^projects/${PROJECT_ID_SOURCE}/topics/${PUBSUB_ID_SOURCE}$`;

/** `projects/<project>/subscriptions/<subscription>` */
export const SUBSCRIPTION_NAME_SOURCE = `^projects/${PROJECT_ID_SOURCE}/subscriptions/${PUBSUB_ID_SOURCE}$`;
