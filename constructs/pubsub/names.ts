import { PUBSUB_ID_SOURCE } from '../../contracts/gcp-names';

const PUBSUB_ID = new RegExp(`^${PUBSUB_ID_SOURCE}$`);

/** Topic, subscription and schema ids: Pub/Sub's rule. */
export const PUBSUB_NAME = {
  text: 'must be 3-255 characters, start with a letter, use only letters, digits and - _ . ~ + %, and not start with "goog"',
  test: (v: string) => PUBSUB_ID.test(v) && !v.toLowerCase().startsWith('goog'),
};
