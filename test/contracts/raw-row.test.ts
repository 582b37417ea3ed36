import fc from 'fast-check';
import { udfScript } from '../../contracts/generators/udf';
import { normalizeTimestamp, rawRowBuilder } from '../../contracts/raw-row';
import { compileValidator } from '../../contracts/validator';
import { CONTRACTS } from '../../stacks/contracts/index';
import { shipment } from '../runtime/loader/fixtures';
import { loadInVm } from '../runtime/udf/harness';
import { validSamples } from './fixtures';

const INGEST = '2026-11-29T12:00:00.000Z';

/** The UDF's row for a payload, with its ingest time replaced by INGEST; undefined when it rejects it. */
function udfRow(udf: ReturnType<typeof loadInVm>, event: unknown): Record<string, unknown> | undefined {
  try {
    return { ...JSON.parse(udf.transform(JSON.stringify(event))), ingest_time: INGEST };
  } catch {
    return undefined;
  }
}

function loaderRow(contract: (typeof CONTRACTS)[number], event: unknown, json: 'text' | 'value' = 'text') {
  const v = compileValidator(contract).validate(event);
  if (!v.ok) return undefined;
  return rawRowBuilder(contract, json).row(v.event, { ingestTime: INGEST, dropped: v.dropped });
}

const shipmentEvent = {
  shipment_id: 'S-1',
  region: 'eu',
  parcels: 2,
  weight_kg: 1.5,
  value: '12.30',
  insured: false,
  shipped_at: '2026-11-29T00:30:00.123456-02:30',
  due_on: '2026-12-01',
  carrier_payload: '{"n":[1,2],"s":"x"}',
  label: 'aGk=',
  mode: 'AIR',
  tags: ['a'],
  destination: { city: 'Oslo', geo: { lat: 1, lon: 2 } },
  stops: [{ city: 'Bergen', at: '2026-11-29T23:59:59+00:01' }],
};

describe('rawRowBuilder', () => {
  test.each([...CONTRACTS, shipment].map((c) => [c.name, c] as const))(
    '%s: the loader writes the row the Dataflow UDF writes, for every sample and timestamp zone',
    (name, contract) => {
      const udf = loadInVm(udfScript(contract));
      const samples =
        name === 'shipment' ? [shipmentEvent] : (validSamples(name) as Record<string, unknown>[]);
      const offset = fc.tuple(
        fc.constantFrom('+', '-'),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
      );
      fc.assert(
        fc.property(fc.constantFrom(...samples), offset, fc.boolean(), (sample, [sign, h, m], extra) => {
          // Re-zone every top-level timestamp and add an undeclared property (kept, dropped or rejected by policy).
          const event: Record<string, unknown> = { ...sample };
          for (const f of contract.fields)
            if (f.type.kind === 'timestamp' && typeof event[f.name] === 'string')
              event[f.name] = (event[f.name] as string).replace(
                /(Z|[+-]\d{2}:\d{2})$/,
                `${sign}${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`,
              );
          if (extra) event.undeclared_note = 'x';
          const expected = udfRow(udf, event);
          expect(loaderRow(contract, event)).toEqual(expected);
        }),
        { numRuns: 60 },
      );
    },
  );

  test('the event id joins the key fields; metadata follows the fields', () => {
    const row = rawRowBuilder(shipment).row(shipmentEvent, {
      ingestTime: INGEST,
      ingestSource: 'batch:gs://b/shipment/a.csv#1',
      dropped: ['x.y'],
    });
    expect(row.event_id).toBe('S-1|eu');
    expect(row.shipped_at).toBe('2026-11-29T03:00:00.123456Z');
    expect(row.stops).toEqual([{ city: 'Bergen', at: '2026-11-29T23:58:59Z' }]);
    expect(Object.keys(row).slice(-5)).toEqual([
      'schema_version',
      'ingest_time',
      'ingest_source',
      'event_id',
      'dropped_fields',
    ]);
    expect(row.schema_version).toBe('2.1.0');
    expect(row.dropped_fields).toBe('["x.y"]');
    expect(row.carrier_payload).toBe('{"n":[1,2],"s":"x"}');
  });

  test('for load jobs, JSON columns hold the JSON value, not its text', () => {
    const row = rawRowBuilder(shipment, 'value').row(shipmentEvent, { ingestTime: INGEST, dropped: ['x.y'] });
    expect(row.carrier_payload).toEqual({ n: [1, 2], s: 'x' });
    expect(row.dropped_fields).toEqual(['x.y']);
  });

  test('a null optional field is kept as null, a null repeated field is omitted', () => {
    const row = rawRowBuilder(shipment).row(
      { ...shipmentEvent, due_on: null, tags: null },
      { ingestTime: INGEST, dropped: [] },
    );
    expect(row.due_on).toBeNull();
    expect(row).not.toHaveProperty('tags');
    expect(row).not.toHaveProperty('dropped_fields');
  });
});

describe('normalizeTimestamp', () => {
  test('gives the same instant in UTC, keeping the fraction digits', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('0001-01-02T00:00:00Z'),
          max: new Date('9999-12-30T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
        fc.stringMatching(/^(\.\d{1,6})?$/),
        (date, offsetMin, fraction) => {
          const local = new Date(date.getTime() + offsetMin * 60_000);
          const a = Math.abs(offsetMin);
          const zone = `${offsetMin < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
          const text = `${local.toISOString().slice(0, 19)}${fraction}${zone}`;
          const utc = `${date.toISOString().slice(0, 19)}${fraction}Z`;
          if (local.getUTCFullYear() < 1 || local.getUTCFullYear() > 9999) return;
          expect(normalizeTimestamp(text)).toBe(utc);
        },
      ),
    );
  });

  test('leaves UTC and non-timestamps unchanged', () => {
    expect(normalizeTimestamp('2026-11-29T10:00:00.5Z')).toBe('2026-11-29T10:00:00.5Z');
    expect(normalizeTimestamp('not a time')).toBe('not a time');
    // Out of BigQuery's range once in UTC: the validator refuses it before any row is built.
    const v = compileValidator(shipment).validate({
      ...shipmentEvent,
      shipped_at: '0001-01-01T00:30:00+01:00',
    });
    expect(v.ok).toBe(false);
  });
});
