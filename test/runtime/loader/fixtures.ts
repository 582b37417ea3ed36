/**
 * Contracts and files for the loader tests: `shipment` uses every contract type and nesting (records in
 * records, repeated scalars, repeated records, json, bytes, numerics, dates, timestamps with offsets).
 */
import { defineContract, field, t } from '../../../contracts/dsl';
import type { LoaderManifest } from '../../../contracts/loader';
import type { Contract } from '../../../contracts/model';
import { order } from '../../../stacks/contracts/order';

export const shipment: Contract = defineContract({
  name: 'shipment',
  version: '2.1.0',
  description: 'A shipment, with every type the contracts have.',
  owner: 'logistics@example.com',
  fields: [
    field('shipment_id', 'Shipment id.', t.string({ minLength: 1, maxLength: 40 })),
    field('region', 'Region.', t.string({ maxLength: 10 })),
    field('parcels', 'Parcel count.', t.int64({ min: 0, max: 1000 })),
    field('weight_kg', 'Weight.', t.float64({ min: 0 })),
    field('value', 'Declared value.', t.numeric({ precision: 12, scale: 2 })),
    field('insured', 'Insured.', t.bool()),
    field('shipped_at', 'When it left.', t.timestamp()),
    field('due_on', 'Due date.', t.date(), { optional: true }),
    field('carrier_payload', 'Carrier document.', t.json(), { optional: true }),
    field('label', 'Label image.', t.bytes({ maxBytes: 64 }), { optional: true }),
    field('mode', 'Transport mode.', t.enum(['ROAD', 'RAIL', 'AIR'])),
    field('tags', 'Tags.', t.repeated(t.string({ maxLength: 20 })), { optional: true }),
    field(
      'destination',
      'Where it goes.',
      t.record([
        field('city', 'City.', t.string()),
        field(
          'geo',
          'Coordinates.',
          t.record([field('lat', 'Latitude.', t.float64()), field('lon', 'Longitude.', t.float64())]),
          { optional: true },
        ),
      ]),
    ),
    field(
      'stops',
      'Stops on the way.',
      t.repeated(t.record([field('city', 'City.', t.string()), field('at', 'Arrival.', t.timestamp())])),
      { optional: true },
    ),
  ],
  key: ['shipment_id', 'region'],
  eventTime: 'shipped_at',
  clustering: ['region'],
});

export const SHIPMENT_HEADER =
  'shipment_id,region,parcels,weight_kg,value,insured,shipped_at,due_on,carrier_payload,label,mode,tags,destination.city,destination.geo.lat,destination.geo.lon,stops';

/** A valid shipment CSV row; `i` varies the key. */
export function shipmentCsvRow(i: number): string {
  return [
    `S-${i}`,
    'eu',
    String(i % 7),
    '12.5',
    '"1024.50"'.replaceAll('"', ''),
    i % 2 === 0 ? 'TRUE' : 'false',
    '2026-11-29T10:00:00.25+01:00',
    '2026-12-01',
    '"{""carrier"":""DHL"",""n"":[1,2]}"',
    'aGVsbG8=',
    'ROAD',
    '"[""fragile"",""gift""]"',
    'Oslo',
    '59.91',
    '10.75',
    '"[{""city"":""Hamburg"",""at"":""2026-11-29T12:00:00Z""}]"',
  ].join(',');
}

export function manifestFor(
  streams: readonly Contract[] = [shipment, order],
  over: Partial<LoaderManifest> = {},
): LoaderManifest {
  return {
    manifestVersion: 1,
    project: 'trb-test-project',
    location: 'EU',
    bucket: 'trb-test-landing',
    maxRejectShare: 0.1,
    maxRowBytes: 1024 * 1024,
    streams: streams.map((c) => ({ name: c.name, table: `trb-test-project.raw.${c.name}_v1`, contract: c })),
    ...over,
  };
}
