import fc from 'fast-check';
import {
  parseLoaderManifest,
  planUpload,
  serializeLoaderManifest,
  validateLoaderManifest,
} from '../../contracts/loader';
import { manifestFor, shipment } from '../runtime/loader/fixtures';

const STREAMS = new Set(['shipment', 'order']);
const CREATED = new Date('2026-11-29T23:59:59.999Z');

describe('loader manifest', () => {
  test('round-trips through its serialized form, streams in name order', () => {
    const m = manifestFor();
    const text = serializeLoaderManifest(m);
    const back = parseLoaderManifest(text, 'gs://a/loader.json');
    expect(back.streams.map((s) => s.name)).toEqual(['order', 'shipment']);
    expect(back.streams.find((s) => s.name === 'shipment')?.contract).toEqual(shipment);
    expect(serializeLoaderManifest(back)).toBe(text);
  });

  test('fails listing every problem with the field, the value and the rule', () => {
    const m = manifestFor();
    const raw = JSON.parse(serializeLoaderManifest(m));
    raw.project = 'Bad_Project';
    raw.location = 'eu west';
    raw.maxRejectShare = 1.5;
    raw.maxRowBytes = 10;
    raw.streams[0].table = 'raw.order';
    raw.streams[1].name = 'staging';
    raw.streams.push({ ...raw.streams[0] });
    let message = '';
    try {
      validateLoaderManifest(raw, 'gs://a/loader.json');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('gs://a/loader.json');
    expect(message).toContain('project = "Bad_Project"');
    expect(message).toContain('location = "eu west": must be a BigQuery location');
    expect(message).toContain('maxRejectShare = 1.5: must be a number from 0 to 1');
    expect(message).toContain('maxRowBytes = 10: must be a whole number of bytes from 1024');
    expect(message).toContain('streams[0].table = "raw.order": must be <project>.<dataset>.<table>');
    expect(message).toContain('streams[1].name = "staging": must not be one of the loader\'s own prefixes');
    expect(message).toContain('streams[2].name = "order": appears twice');
  });

  test('fails what is not a manifest at all, and JSON that does not parse', () => {
    expect(() => validateLoaderManifest([], 'm.json')).toThrow('must be {"manifestVersion": 1');
    expect(() => parseLoaderManifest('{', 'm.json')).toThrow('m.json');
  });
});

describe('planUpload', () => {
  const object = {
    bucket: 'trb-landing',
    name: 'shipment/2026/11/batch 1.csv.gz',
    generation: '1764460799999999',
  };

  test('derives every name from the stream, the upload date (UTC), the object and its generation', () => {
    const plan = planUpload(object, CREATED, STREAMS);
    if ('problem' in plan) throw new Error(plan.problem);
    expect(plan).toMatchObject({ stream: 'shipment', format: 'csv', gzip: true });
    expect(plan.source).toBe('batch:gs://trb-landing/shipment/2026/11/batch 1.csv.gz#1764460799999999');
    expect(plan.quarantineObject).toBe(
      'quarantine/shipment/2026-11-29/2026/11/batch 1.csv.gz.1764460799999999.rejects.ndjson',
    );
    expect(plan.resultObject).toBe(
      'results/shipment/2026-11-29/2026/11/batch 1.csv.gz.1764460799999999.json',
    );
    expect(plan.stagingObject('exec-1')).toBe(
      'staging/shipment/2026-11-29/2026/11/batch 1.csv.gz.1764460799999999.exec-1.ndjson',
    );
    expect(() => plan.stagingObject('a/b')).toThrow('execution "a/b"');
    expect(plan.jobId(1)).toMatch(/^tributary_load_shipment_[0-9a-f]{40}_1$/);
  });

  test('job ids are valid BigQuery job ids, the same for the same generation and different otherwise', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 200 }),
        fc.bigInt({ min: 1n, max: 2n ** 63n }),
        (name, gen) => {
          const o = { bucket: 'b-1', name: `order/${name}.ndjson`, generation: String(gen) };
          const a = planUpload(o, CREATED, STREAMS);
          const b = planUpload({ ...o, generation: String(gen + 1n) }, CREATED, STREAMS);
          if ('problem' in a || 'problem' in b) return;
          expect(a.jobId(3)).toMatch(/^[A-Za-z0-9_-]{1,1024}$/);
          expect(planUpload(o, new Date(0), STREAMS)).toHaveProperty('jobId');
          expect(a.jobId(1)).not.toBe(b.jobId(1));
          expect(a.jobId(1)).not.toBe(a.jobId(2));
        },
      ),
    );
  });

  test('plans an unknown ending with its problem, so the refusal is recorded', () => {
    const plan = planUpload({ ...object, name: 'order/data.xlsx' }, CREATED, STREAMS);
    expect(plan).toMatchObject({
      stream: 'order',
      formatProblem: 'the object name must end with .csv, .ndjson, .jsonl, optionally followed by .gz',
    });
    expect(plan).not.toHaveProperty('format');
  });

  test.each([
    ['staging/order/x.csv', "is not under a stream's prefix (shipment/, order/)"],
    ['order.csv', "is not under a stream's prefix"],
    ['order/', 'names a folder, not a file'],
    ['order/sub/', 'names a folder, not a file'],
    [`order/${'x'.repeat(990)}.csv`, 'is too long'],
  ])('fails %s: %s', (name, problem) => {
    const plan = planUpload({ ...object, name }, CREATED, STREAMS);
    expect(plan).toHaveProperty('problem');
    expect((plan as { problem: string }).problem).toContain(problem);
  });

  test('fails a generation that is not a positive decimal', () => {
    expect(planUpload({ ...object, generation: '0' }, CREATED, STREAMS)).toEqual({
      problem: 'generation "0" must be a positive decimal integer',
    });
  });
});
