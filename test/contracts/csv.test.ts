import { csvLayout } from '../../contracts/csv';
import { defineContract } from '../../contracts/dsl';
import { compileValidator } from '../../contracts/validator';
import { order } from '../../stacks/contracts/order';
import { SHIPMENT_HEADER, shipment } from '../runtime/loader/fixtures';

function layoutOf(header: string, contract = shipment) {
  const check = csvLayout(contract, header.split(','));
  if (!check.ok) throw new Error(check.problems.join('\n'));
  return check.layout;
}

describe('csvLayout', () => {
  test('maps dotted headers onto nested records and reads each type', () => {
    const layout = layoutOf(SHIPMENT_HEADER);
    const cells = [
      'S-1',
      'eu',
      '+3',
      '-1.5e2',
      '10.00',
      'True',
      '2026-11-29T10:00:00Z',
      '2026-12-01',
      '{"a":[1,{"b":null}]}',
      'aGk=',
      'AIR',
      '["x","y"]',
      'Oslo',
      '59.9',
      '10.7',
      '[{"city":"Bergen","at":"2026-11-29T11:00:00+01:00"}]',
    ];
    const row = layout.read(cells);
    expect(row.errors).toEqual([]);
    expect(row.event).toEqual({
      shipment_id: 'S-1',
      region: 'eu',
      parcels: 3,
      weight_kg: -150,
      value: '10.00',
      insured: true,
      shipped_at: '2026-11-29T10:00:00Z',
      due_on: '2026-12-01',
      carrier_payload: '{"a":[1,{"b":null}]}',
      label: 'aGk=',
      mode: 'AIR',
      tags: ['x', 'y'],
      destination: { city: 'Oslo', geo: { lat: 59.9, lon: 10.7 } },
      stops: [{ city: 'Bergen', at: '2026-11-29T11:00:00+01:00' }],
    });
  });

  test('an empty cell is an absent field: optional ones pass, required ones fail in the validator', () => {
    const layout = layoutOf('shipment_id,region,parcels,weight_kg,value,insured,shipped_at,mode,destination');
    const validator = compileValidator(shipment);
    const ok = layout.read([
      'S',
      'eu',
      '1',
      '1',
      '1.00',
      'false',
      '2026-11-29T10:00:00Z',
      'RAIL',
      '{"city":"Oslo"}',
    ]);
    expect(ok.event).not.toHaveProperty('due_on');
    expect(validator.validate(ok.event).ok).toBe(true);
    const missing = layout.read([
      'S',
      '',
      '1',
      '1',
      '1.00',
      'false',
      '2026-11-29T10:00:00Z',
      'RAIL',
      '{"city":"Oslo"}',
    ]);
    expect(missing.event).not.toHaveProperty('region');
    const v = validator.validate(missing.event);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors.map((e) => e.field)).toEqual(['region']);
  });

  test('fails cells that cannot be read, naming the column and the rule; the rest of the row is still read', () => {
    const layout = layoutOf(SHIPMENT_HEADER);
    const row = layout.read([
      'S-1',
      'eu',
      '3.5',
      'twelve',
      '10.00',
      'yes',
      '2026-11-29T10:00:00Z',
      '',
      '',
      '',
      'AIR',
      '["x"',
      'Oslo',
      '1e999',
      '',
      '{"city":"x"}',
    ]);
    expect(row.errors).toEqual([
      { field: 'parcels', rule: 'must be an int64 written as a whole number, e.g. 42', code: 'syntax' },
      {
        field: 'weight_kg',
        rule: 'must be a float64 written as a decimal number, e.g. 4.25',
        code: 'syntax',
      },
      { field: 'insured', rule: 'must be true or false', code: 'syntax' },
      { field: 'tags', rule: expect.stringMatching(/^must be a JSON array in one cell: /), code: 'syntax' },
      {
        field: 'destination.geo.lat',
        rule: 'must be a float64 within ±1.7976931348623157e308',
        code: 'syntax',
      },
    ]);
    expect(row.event).toMatchObject({
      shipment_id: 'S-1',
      stops: { city: 'x' },
      destination: { city: 'Oslo' },
    });
    // A JSON cell of the wrong shape parses; the validator names it.
    const v = compileValidator(shipment).validate(row.event);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.errors.map((e) => e.field)).toContain('stops');
  });

  test('fails a row with the wrong number of cells as a (row) error', () => {
    const layout = layoutOf('order_id,customer_id,status,currency,line_items,total_amount,order_time', order);
    const short = layout.read(['o1', 'c1']);
    expect(short.errors).toEqual([
      { field: '(row)', rule: 'must have 7 cells like the header, has 2', code: 'syntax' },
    ]);
    const long = layout.read(['o1', 'c1', 'PAID', 'EUR', '[]', '1.00', '2026-11-29T10:00:00Z', 'extra']);
    expect(long.errors.map((e) => e.field)).toEqual(['(row)']);
    expect(long.event).toMatchObject({ order_id: 'o1', total_amount: '1.00' });
  });

  test('fails a header listing every problem at once', () => {
    const check = csvLayout(order, [
      'order_id',
      '',
      ' status',
      'order_id',
      'colour',
      'line_items.sku',
      'shipping_address',
      'shipping_address.city',
    ]);
    expect(check.ok).toBe(false);
    if (check.ok) return;
    expect(check.problems).toEqual([
      'column 2 has an empty name',
      'column " status" has spaces around its name',
      'column "order_id" appears more than once',
      'column "colour": colour is not a field of order v1.0.0 (unknown fields are rejected)',
      'column "line_items.sku": line_items is a repeated field; give it whole as one JSON cell named "line_items"',
      'columns "shipping_address" and "shipping_address.city" both give shipping_address.city; use the JSON cell or the dotted columns, not both',
      'required field customer_id has no column',
      'required field status has no column',
      'required field currency has no column',
      'required field line_items has no column',
      'required field total_amount has no column',
      'required field order_time has no column',
    ]);
  });

  test('fails dotted names through a field that is not a record', () => {
    const check = csvLayout(order, ['order_id.x']);
    expect(check.ok).toBe(false);
    if (!check.ok)
      expect(check.problems[0]).toBe('column "order_id.x": order_id is a string field, not a record');
  });

  test('requires the required fields of a record given as dotted columns', () => {
    const check = csvLayout(order, [
      ...'order_id,customer_id,status,currency,line_items,total_amount,order_time'.split(','),
      'shipping_address.city',
    ]);
    expect(check.ok).toBe(false);
    if (!check.ok)
      expect(check.problems).toEqual([
        'required field shipping_address.line1 has no column',
        'required field shipping_address.country_code has no column',
      ]);
  });

  test('under the drop policy, undeclared columns are dropped and each row names the ones it had values in', () => {
    const lenient = defineContract({ ...shipment, unknownFields: 'drop' });
    const layout = layoutOf(`${SHIPMENT_HEADER},note,destination.zip`, lenient);
    expect(layout.droppedColumns).toEqual(['note', 'destination.zip']);
    const cells = [...'S,eu,1,1,1.00,false,2026-11-29T10:00:00Z,,,,ROAD,,Oslo,,,'.split(','), 'hello', ''];
    const row = layout.read(cells);
    expect(row.errors).toEqual([]);
    expect(row.dropped).toEqual(['note']);
    expect(row.event).not.toHaveProperty('note');
  });
});
