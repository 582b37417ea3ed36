import { synth, TEST_LABELS, testStack } from '../helpers';

describe('TributaryStack', () => {
  test('configures google and google-beta with project, region and the exact default labels', () => {
    const json = synth(testStack());
    for (const provider of ['google', 'google-beta']) {
      expect(json.provider?.[provider]).toEqual([
        { project: 'trb-test-project', region: 'europe-west1', default_labels: TEST_LABELS },
      ]);
    }
  });

  test('keeps hyphenated label keys that cdktf would otherwise snake-case', () => {
    const json = synth(testStack());
    const labels = json.provider?.google?.[0]?.default_labels as Record<string, string>;
    expect(Object.keys(labels)).toContain('cost-center');
    expect(Object.keys(labels)).not.toContain('cost_center');
  });

  test('attaches the policy pack and the grant ledger', () => {
    const stack = testStack({ environment: 'prod', production: true });
    expect(stack.policy.context).toMatchObject({ stack: 'test', environment: 'prod', production: true });
    expect(stack.grants.records).toEqual([]);
  });
});
