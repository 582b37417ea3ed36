import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildApp } from '../../stacks/main';
import { testApp } from '../helpers';
import { describeWithTool } from '../system-tools';
import {
  configurationErrors,
  OFFLINE_PROVIDER_ERROR,
  terraformInit,
  terraformProviders,
} from './terraform-harness';

const STACKS = ['bootstrap', 'dev', 'staging', 'prod'];

describeWithTool('terraform', "Terraform's configuration loader on every synthesized stack", () => {
  const configs = new Map<string, { terraform?: Record<string, unknown> }>();

  beforeAll(() => {
    const app = buildApp({ outdir: testApp().outdir });
    app.synth();
    for (const stack of STACKS)
      configs.set(
        stack,
        JSON.parse(fs.readFileSync(path.join(app.outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')),
      );
  });

  test.each(STACKS)('accepts the %s stack: the only error is the unreachable provider registry', (stack) => {
    const result = terraformInit(configs.get(stack) as object);
    expect(configurationErrors(result)).toEqual({});
    expect(result.errors.some((e) => e.startsWith(OFFLINE_PROVIDER_ERROR))).toBe(true);
  });

  test.each(STACKS)('%s requires exactly the pinned google and google-beta providers', (stack) => {
    const result = terraformProviders(configs.get(stack) as object);
    expect(result.status).toBe(0);
    const providers = [...result.output.matchAll(/provider\[([^\]]+)\]\s*(\S*)/g)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    expect(providers.sort()).toEqual([
      'registry.terraform.io/hashicorp/google 6.50.0',
      'registry.terraform.io/hashicorp/google-beta 6.50.0',
    ]);
  });

  test('fails a configuration with an interpolated depends_on entry (the check itself works)', () => {
    const broken = {
      resource: {
        terraform_data: {
          a: {},
          b: { depends_on: ['${terraform_data.a}'] },
        },
      },
    };
    const result = terraformInit(broken);
    expect(configurationErrors(result)).toEqual({
      'Invalid expression': 1,
      'Terraform encountered problems during initialisation, including problems': 1,
    });
    expect(result.output).toContain('A single static variable reference is required');
  });
});
