import { stableJson } from '../../constructs/core/stable-json';

// cdktf's own serializer (bundled inside cdktf), the reference the fast path must match byte for byte.
const cdktfStringify = require('cdktf/node_modules/json-stable-stringify') as (
  value: unknown,
  options: { space: number },
) => string;
const reference = (v: unknown) => cdktfStringify(v, { space: 2 });

describe('stableJson', () => {
  test.each([
    ['an empty object', {}],
    ['an empty array', []],
    ['nested empties at every depth', { a: [], b: {}, c: [[], {}, [[]]], d: { e: { f: [] } } }],
    ['undefined members and array holes', { d: undefined, e: [undefined, 1, null], f: () => 1 }],
    ['unsorted keys, unicode and escapes', { z: 'é\u2028"\\', a: -0, m: 1e21, b: [true, false, 0.1] }],
    ['integer-like keys (ordered first by JavaScript)', { '10': 1, '9': 2, b: { '0': [], a: 1 } }],
    ['a string holding the placeholder mark', { a: '\u007f[]', b: [] }],
    ['a key holding the placeholder mark', { '\u007f{}': [], b: {} }],
    ['a string holding the mark alone', { a: 'x\u007f', b: {} }],
    ['control characters JSON escapes', { a: '\u0000[]"\u001f', b: [], c: { '\\u0000': {} } }],
    ['an object with toJSON', { when: new Date(0), list: [] }],
    ['scalars', 'text'],
    ['a number', 5],
    ['null', null],
  ])('writes %s exactly as cdktf does', (_case, value) => {
    expect(stableJson(value)).toBe(reference(value));
  });

  test('writes a Terraform-shaped document exactly as cdktf does', () => {
    const doc = {
      terraform: { required_providers: { google: { source: 'google', version: '6.50.0' } } },
      resource: {
        google_storage_bucket: {
          Landing_1A2B: { name: 'b', labels: {}, lifecycle_rule: [], '//': { metadata: { path: 'x/y' } } },
        },
      },
      provider: { google: [{ project: 'p', default_labels: { 'cost-center': 'a' } }] },
    };
    expect(stableJson(doc)).toBe(reference(doc));
  });
});
