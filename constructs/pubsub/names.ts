/** Topic, subscription and schema ids: Pub/Sub's rule. */
export const PUBSUB_NAME = {
  text: 'must be 3-255 characters, start with a letter, use only letters, digits and - _ . ~ + %, and not start with "goog"',
  test: (v: string) => /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/.test(v) && !v.toLowerCase().startsWith('goog'),
};
