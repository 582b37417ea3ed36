import { Checks, describeValue, ValidationError } from '../../core/validation';
import { errorOf } from '../helpers';

describe('Checks', () => {
  test('passes when every rule holds', () => {
    const checks = new Checks('thing');
    checks.rule('size', 3, 'must be positive', (n) => n > 0).require('name', 'x');
    expect(checks.violations).toEqual([]);
    expect(() => checks.throwIfAny()).not.toThrow();
  });

  test('fails with one error listing every violation with field, value and rule', () => {
    const checks = new Checks('Environment "dev"');
    checks
      .rule('projectId', 'BAD', 'must be lowercase', (v) => v === v.toLowerCase())
      .rule('region', 'mars-1', 'must be a known region', () => false)
      .require('owner', '');
    const error = errorOf(() => checks.throwIfAny());
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).violations).toEqual([
      { field: 'projectId', value: 'BAD', rule: 'must be lowercase' },
      { field: 'region', value: 'mars-1', rule: 'must be a known region' },
      { field: 'owner', value: '', rule: 'is required' },
    ]);
    expect(error.message).toBe(
      [
        'Environment "dev": 3 problems',
        '  - projectId = "BAD": must be lowercase',
        '  - region = "mars-1": must be a known region',
        '  - owner = "": is required',
      ].join('\n'),
    );
  });

  test('skips undefined values but require() catches them', () => {
    const checks = new Checks('thing');
    checks.rule('optional', undefined as number | undefined, 'never checked', () => false);
    expect(checks.violations).toHaveLength(0);
    checks.require('mandatory', undefined);
    expect(checks.violations).toEqual([{ field: 'mandatory', value: undefined, rule: 'is required' }]);
  });

  test('skips values the subject reports as unresolved', () => {
    const checks = new Checks('thing', { isUnresolved: (v) => v === '${token}' });
    checks.rule('name', '${token}', 'never checked', () => false);
    expect(checks.violations).toHaveLength(0);
  });

  test('fails loudly when a predicate throws instead of hiding it', () => {
    const checks = new Checks('thing');
    expect(() =>
      checks.rule('x', 1, 'rule', () => {
        throw new Error('bug in predicate');
      }),
    ).toThrow('bug in predicate');
  });

  test('describes values compactly', () => {
    expect(describeValue('a')).toBe('"a"');
    expect(describeValue(undefined)).toBe('(not set)');
    expect(describeValue({ a: 1 })).toBe('{"a":1}');
    expect(describeValue('x'.repeat(200))).toHaveLength(120);
  });
});
