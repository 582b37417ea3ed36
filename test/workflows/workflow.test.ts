import { Token } from 'cdktf';
import { ServiceIdentity } from '../../constructs/iam/service-identity';
import { escapeForTerraform, Workflow } from '../../constructs/workflows/workflow';
import { errorOf, only, synth, testStack } from '../helpers';

describe('Workflow', () => {
  test('runs as its own identity; its ${...} expressions are escaped from Terraform', () => {
    const stack = testStack();
    const identity = new ServiceIdentity(stack, 'Identity', { name: 'wf', prefix: 'trb-test' });
    const wf = new Workflow(stack, 'Workflow', {
      workflowName: 'trb-test-wf',
      region: 'europe-west1',
      identity,
      source: 'main:\n  steps:\n    - done:\n        return: ${"a" + "%{b}"}\n',
      deletionProtection: false,
    });
    expect(wf.workflowPath).toBe('projects/trb-test-project/locations/europe-west1/workflows/trb-test-wf');
    const json = synth(stack);
    expect(stack.policy.errors).toEqual([]);
    expect(only(json, 'google_workflows_workflow')).toMatchObject({
      call_log_level: 'LOG_ERRORS_ONLY',
      source_contents: 'main:\n  steps:\n    - done:\n        return: $${"a" + "%%{b}"}\n',
      service_account: expect.stringContaining('google_service_account.Identity'),
    });
    expect(escapeForTerraform('$${x} ${y}')).toBe('$$${x} $${y}');
  });

  test('fails a bad name, a source built from tokens and an oversized source', () => {
    const stack = testStack();
    const identity = new ServiceIdentity(stack, 'Identity', { name: 'wf', prefix: 'trb-test' });
    const make = (workflowName: string, source: string) => () =>
      new Workflow(stack, `W${Math.random()}`.replace('.', ''), {
        workflowName,
        region: 'europe-west1',
        identity,
        source,
        deletionProtection: false,
      });
    expect(errorOf(make('1wf', 'main: {}')).message).toContain('workflowName = "1wf": must be 1-64 letters');
    expect(errorOf(make('wf', `main: ${Token.asString({ Ref: 'x' })}`)).message).toContain(
      'must be plain text, not built from unresolved tokens',
    );
    expect(errorOf(make('wf', 'x'.repeat(128 * 1024 + 1))).message).toContain('must be at most 131072 bytes');
  });
});
