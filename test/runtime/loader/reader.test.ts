import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { FileRefusal, type ReadOptions, readRows, type SourceRow } from '../../../runtime/loader/reader';
import { order } from '../../../stacks/contracts/order';
import { SHIPMENT_HEADER, shipment, shipmentCsvRow } from './fixtures';

const CSV: ReadOptions = { format: 'csv', gzip: false, contract: shipment, maxRowBytes: 4096 };
const NDJSON: ReadOptions = { ...CSV, format: 'ndjson' };

/** Reads bytes given in pieces of `chunk` bytes; returns the rows, or the refusal. */
async function read(bytes: Buffer | string, options: ReadOptions, chunk = 5) {
  const buf = Buffer.from(bytes);
  const pieces: Buffer[] = [];
  for (let i = 0; i < buf.length; i += chunk) pieces.push(buf.subarray(i, i + chunk));
  const stats = { storedBytes: 0, bytes: 0 };
  const rows: SourceRow[] = [];
  try {
    for await (const r of readRows(Readable.from(pieces), options, stats)) rows.push(r);
  } catch (error) {
    if (error instanceof FileRefusal)
      return { rows, stats, refusal: { kind: error.kind, reason: error.reason } };
    throw error;
  }
  return { rows, stats, refusal: undefined };
}

describe('readRows: CSV', () => {
  test('reads records numbered from the header, with their text, across any chunking', async () => {
    const file = `${SHIPMENT_HEADER}\n${shipmentCsvRow(1)}\n${shipmentCsvRow(2)}\n`;
    for (const chunk of [1, 3, 64, 1 << 16]) {
      const { rows, refusal } = await read(file, CSV, chunk);
      expect(refusal).toBeUndefined();
      expect(rows.map((r) => r.row)).toEqual([2, 3]);
      expect(rows.map((r) => r.text)).toEqual([shipmentCsvRow(1), shipmentCsvRow(2)]);
      expect(rows[0]?.errors).toEqual([]);
      expect(rows[0]?.event).toMatchObject({
        shipment_id: 'S-1',
        destination: { city: 'Oslo', geo: { lat: 59.91 } },
      });
    }
  });

  test('takes a BOM, CRLF and LF mixed, blank lines, and quoted newlines kept in the value', async () => {
    const quoted = shipmentCsvRow(1).replace(',Oslo,', ',"Oslo\r\nNorth",');
    const file = `\uFEFF${SHIPMENT_HEADER}\r\n${quoted}\r\n\r\n${shipmentCsvRow(2)}\n${shipmentCsvRow(3)}`;
    const { rows, refusal } = await read(file, CSV);
    expect(refusal).toBeUndefined();
    expect(rows.map((r) => r.row)).toEqual([2, 3, 4]);
    expect(rows[0]?.event).toMatchObject({ destination: { city: 'Oslo\r\nNorth' } });
    expect(rows[0]?.text).toBe(quoted);
    expect(rows[1]?.event).toMatchObject({ region: 'eu' });
    expect(rows[2]?.text).toBe(shipmentCsvRow(3));
  });

  test('reads gzip files and counts stored and decoded bytes', async () => {
    const file = `${SHIPMENT_HEADER}\n${shipmentCsvRow(1)}\n`;
    const zipped = gzipSync(file);
    const { rows, stats } = await read(zipped, { ...CSV, gzip: true });
    expect(rows).toHaveLength(1);
    expect(stats).toEqual({ storedBytes: zipped.length, bytes: Buffer.byteLength(file) });
  });

  test('fails a file that is not UTF-8 at the offset of the first bad byte', async () => {
    const head = Buffer.from(`${SHIPMENT_HEADER}\n${shipmentCsvRow(1)}\n`);
    const file = Buffer.concat([
      head,
      Buffer.from('S-2,Z\xfcrich', 'latin1'),
      Buffer.from(`\n${shipmentCsvRow(3)}\n`),
    ]);
    const { refusal } = await read(file, CSV);
    const offset = head.length + 5;
    expect(refusal).toEqual({
      kind: 'encoding',
      reason: `byte ${offset} is not valid UTF-8; the file must be UTF-8 (it is read byte for byte, never re-encoded)`,
    });
    const zipped = await read(gzipSync(file), { ...CSV, gzip: true });
    expect(zipped.refusal?.reason).toBe(
      `byte ${offset} of the decompressed content is not valid UTF-8; the file must be UTF-8 (it is read byte for byte, never re-encoded)`,
    );
  });

  test('fails a header that does not match the contract, listing every problem', async () => {
    const { refusal, rows } = await read(`shipment_id,colour\nS-1,red\n`, CSV);
    expect(rows).toEqual([]);
    expect(refusal?.kind).toBe('header');
    expect(refusal?.reason).toContain(
      'the header does not match shipment v2.1.0: column "colour": colour is not a field',
    );
    expect(refusal?.reason).toContain('required field region has no column');
  });

  test('fails a file with no header row, a broken quote, bad gzip and an over-long row', async () => {
    expect((await read('', CSV)).refusal).toEqual({
      kind: 'header',
      reason: "the file has no header row; the first line must name shipment's fields",
    });
    const broken = await read(`${SHIPMENT_HEADER}\n${shipmentCsvRow(1)}\nS-2,"eu\n`, CSV);
    expect(broken.refusal?.kind).toBe('syntax');
    expect(broken.refusal?.reason).toMatch(
      /^the file is not readable as CSV: Quote Not Closed: .* at line 3$/,
    );
    const gz = await read(Buffer.from('not gzip at all'), { ...CSV, gzip: true });
    expect(gz.refusal?.kind).toBe('compression');
    expect(gz.refusal?.reason).toMatch(/^the file is not readable as gzip: /);
    const long = await read(`${SHIPMENT_HEADER}\n${shipmentCsvRow(1)}\nS-2,${'x'.repeat(5000)}\n`, CSV);
    expect(long.refusal).toEqual({
      kind: 'row-size',
      reason: 'row 3 is longer than 4096 bytes (maxRowBytes)',
    });
  });

  test('a row with the wrong number of cells is a row error, not a refusal', async () => {
    const { rows, refusal } = await read(`${SHIPMENT_HEADER}\nS-1,eu\n${shipmentCsvRow(2)}\n`, CSV);
    expect(refusal).toBeUndefined();
    expect(rows[0]?.errors).toEqual([
      { field: '(row)', rule: 'must have 16 cells like the header, has 2', code: 'syntax' },
    ]);
    expect(rows[1]?.errors).toEqual([]);
  });
});

describe('readRows: NDJSON', () => {
  const line = (id: string) => JSON.stringify({ order_id: id, total_amount: '1.00' });

  test('numbers rows by line, strips a BOM and CR, skips blank lines, reads a last line without newline', async () => {
    const file = `\uFEFF${line('a')}\r\n\n${line('b')}\n  \n${line('c')}`;
    for (const chunk of [1, 4, 1024]) {
      const { rows, refusal } = await read(file, { ...NDJSON, contract: order }, chunk);
      expect(refusal).toBeUndefined();
      expect(rows.map((r) => [r.row, r.text])).toEqual([
        [1, line('a')],
        [3, line('b')],
        [5, line('c')],
      ]);
      expect(rows[0]?.event).toEqual({ order_id: 'a', total_amount: '1.00' });
    }
  });

  test('a line that is not JSON is a row error with its text kept as written', async () => {
    const { rows } = await read(`${line('a')}\n{"order_id": "b",\n`, { ...NDJSON, contract: order });
    expect(rows[1]).toEqual({
      row: 2,
      text: '{"order_id": "b",',
      event: undefined,
      errors: [
        {
          field: '(row)',
          rule: expect.stringMatching(/^must be one JSON object per line: /),
          code: 'syntax',
        },
      ],
      dropped: [],
    });
  });

  test('fails a line over maxRowBytes, even one without a newline, and multi-byte text split across chunks is whole', async () => {
    const long = await read(`${line('a')}\n"${'x'.repeat(5000)}"\n`, NDJSON, 100);
    expect(long.refusal).toEqual({
      kind: 'row-size',
      reason: 'line 2 is longer than 4096 bytes (maxRowBytes)',
    });
    const tail = await read(`${line('a')}\n${'y'.repeat(5000)}`, NDJSON, 100);
    expect(tail.refusal?.kind).toBe('row-size');
    const multi = await read(`${JSON.stringify({ order_id: 'ü€😀' })}\n`, NDJSON, 1);
    expect(multi.rows[0]?.event).toEqual({ order_id: 'ü€😀' });
  });
});
