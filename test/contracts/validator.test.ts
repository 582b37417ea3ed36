import { compareDecimal, fitsNumeric } from '../../contracts/decimal';
import { field, t } from '../../contracts/dsl';
import { compileValidator } from '../../contracts/validator';
import { baseContract } from './fixtures';

const sale = {
  sale_id: 's-1',
  amount: '10.50',
  items: [{ sku: 'a', qty: 1 }],
  sold_at: '2026-01-01T00:00:00Z',
};

describe('compileValidator', () => {
  const validate = compileValidator(baseContract()).validate;

  test('accepts a valid event as is, with optional fields absent or null', () => {
    expect(validate(sale)).toEqual({ ok: true, event: sale, dropped: [] });
    expect(validate({ ...sale, note: null }).ok).toBe(true);
  });

  test('names each failing field by path with its rule and rule family', () => {
    const result = validate({
      ...sale,
      amount: '1.234',
      items: [{ sku: 'a', qty: 0 }, { qty: 2 }],
      sold_at: 'later',
      extra: 1,
    });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([
      {
        field: 'extra',
        rule: 'is not a field of sale v1.0.0 (unknown fields are rejected)',
        code: 'unknown-field',
      },
      {
        field: 'amount',
        rule: 'must be a decimal string with at most 8 integer digits and 2 decimals (NUMERIC(10, 2))',
        code: 'pattern',
      },
      { field: 'items[0].qty', rule: 'must be >= 1', code: 'range' },
      { field: 'items[1].sku', rule: 'is required', code: 'required' },
      { field: 'sold_at', rule: expect.stringContaining('must be an RFC 3339 timestamp'), code: 'format' },
    ]);
  });

  test('explains JSON type mistakes in contract terms', () => {
    const result = validate({ ...sale, amount: 10.5, sale_id: null, items: 'x' });
    expect(result.ok ? [] : result.errors.map((e) => `${e.field}: ${e.rule}`)).toEqual([
      'sale_id: must be a string, got null (required fields must not be null)',
      'amount: must be a numeric (a decimal string such as "42.50"), got a fractional number',
      'items: must be an array, got a string',
    ]);
  });

  test('names an undeclared property as sent, even when it looks like an array index', () => {
    const result = validate({ ...sale, '1': 'x', items: [{ sku: 'a', qty: 1, '0': 'y' }] });
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toEqual(['1', 'items[0].0']);
  });

  test('reports one error for a wrongly typed or null enum, not a type and an enum error', () => {
    const v = compileValidator(
      baseContract((d) => ({ ...d, fields: [...d.fields, field('kind', 'Kind.', t.enum(['A', 'B']))] })),
    ).validate;
    expect(v({ ...sale, kind: 1 })).toMatchObject({
      errors: [
        { field: 'kind', rule: 'must be one of the enum values (a string), got a number', code: 'type' },
      ],
    });
    expect(v({ ...sale, kind: null })).toMatchObject({ errors: [{ field: 'kind', code: 'required' }] });
    expect(v({ ...sale, kind: 'C' })).toMatchObject({
      errors: [{ field: 'kind', rule: 'must be one of A, B', code: 'enum' }],
    });
  });

  test('checks NUMERIC ranges exactly, without floating point', () => {
    const v = compileValidator(
      baseContract((d) => ({
        ...d,
        fields: [
          ...d.fields,
          field(
            'price',
            'P.',
            t.numeric({
              precision: 38,
              scale: 9,
              min: '0.000000001',
              max: '99999999999999999999999999999.999999999',
            }),
          ),
        ],
      })),
    );
    expect(v.validate({ ...sale, price: '0.000000001' }).ok).toBe(true);
    expect(v.validate({ ...sale, price: '99999999999999999999999999999.999999999' }).ok).toBe(true);
    const low = v.validate({ ...sale, price: '0.000000000' });
    expect(low.ok ? [] : low.errors).toEqual([
      {
        field: 'price',
        rule: 'must be between 0.000000001 and 99999999999999999999999999999.999999999',
        code: 'range',
      },
    ]);
  });

  test('with the drop policy, removes undeclared properties at every level and reports them', () => {
    const v = compileValidator(baseContract((d) => ({ ...d, unknownFields: 'drop' })));
    const input = { ...sale, extra: 1, items: [{ sku: 'a', qty: 1, colour: 'red' }] };
    const result = v.validate(input);
    expect(result).toEqual({ ok: true, event: sale, dropped: ['items[0].colour', 'extra'] });
    expect(input.extra).toBe(1);
  });

  test('rejects non-object events with a clear message', () => {
    for (const event of [null, [], 'text', 42]) {
      const result = validate(event);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.errors[0]?.field).toBe('(event)');
    }
  });
});

describe('decimals', () => {
  test.each([
    ['1', '2', -1],
    ['-1', '1', -1],
    ['10.5', '10.50', 0],
    ['-0.00', '0', 0],
    ['99.99', '100', -1],
    ['-100', '-99.99', -1],
    ['0.0001', '0.001', -1],
  ])('compareDecimal(%s, %s) = %i', (a, b, expected) => {
    expect(compareDecimal(a, b)).toBe(expected);
    expect(compareDecimal(b, a)).toBe(-expected || 0);
  });

  test('fitsNumeric counts integer digits and scale', () => {
    expect(fitsNumeric('12345678.12', 10, 2)).toBe(true);
    expect(fitsNumeric('123456789', 10, 2)).toBe(false);
    expect(fitsNumeric('1.123', 10, 2)).toBe(false);
    expect(fitsNumeric('abc', 10, 2)).toBe(false);
  });
});
