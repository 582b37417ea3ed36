import { deterministicName, stableHash } from '../../core/names';

describe('deterministicName', () => {
  test('joins parts when they fit', () => {
    expect(deterministicName(['trb-dev', 'ingest'], 30)).toBe('trb-dev-ingest');
    expect(deterministicName(['', 'ingest'], 30)).toBe('ingest');
  });

  test('shortens long names to the limit with a hash of the full name', () => {
    const name = deterministicName(['trb-prod', 'dataflow-worker-user-activity'], 30);
    expect(name).toHaveLength(30);
    expect(name).toBe(`trb-prod-dataflow-worke-${stableHash('trb-prod-dataflow-worker-user-activity')}`);
  });

  test('is stable across calls and distinguishes names that share a prefix', () => {
    const a = deterministicName(['trb-prod', 'dataflow-worker-orders-v1'], 30);
    const b = deterministicName(['trb-prod', 'dataflow-worker-orders-v2'], 30);
    expect(deterministicName(['trb-prod', 'dataflow-worker-orders-v1'], 30)).toBe(a);
    expect(a).not.toBe(b);
    expect(a.slice(0, 23)).toBe(b.slice(0, 23));
  });

  test('never leaves a separator before the hash', () => {
    // The cut falls right after a hyphen; it is trimmed so the name has no double hyphen.
    const name = deterministicName(['abcdefghijklmnopqrstuv', 'w-xyz-more-words'], 30);
    expect(name).not.toMatch(/--/);
    expect(name.length).toBeLessThanOrEqual(30);
  });
});
