import fc from 'fast-check';
import { firstInvalidUtf8, Utf8StreamCheck } from '../../core/utf8';

/** The stream check's answer for the bytes cut into the given pieces. */
function streamed(bytes: Uint8Array, cuts: readonly number[]): number {
  const check = new Utf8StreamCheck();
  let from = 0;
  for (const cut of [...cuts.filter((c) => c < bytes.length)].sort((a, b) => a - b).concat(bytes.length)) {
    const bad = check.push(Buffer.from(bytes.subarray(from, cut)));
    if (bad >= 0) return bad;
    from = cut;
  }
  return check.end();
}

describe('UTF-8 checks', () => {
  test('finds the offset of the first invalid byte, as the TextDecoder sees it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const bad = firstInvalidUtf8(bytes);
        let valid = true;
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes);
        } catch {
          valid = false;
        }
        expect(bad < 0).toBe(valid);
        if (bad >= 0)
          expect(() =>
            new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bad)),
          ).not.toThrow();
      }),
    );
  });

  test('the streaming check gives the same offset however the bytes are cut', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).map((s) => Buffer.from(s, 'utf8'));
    const mixed = fc
      .tuple(text, fc.uint8Array({ maxLength: 4 }), text)
      .map(([a, b, c]) => Buffer.concat([a, b, c]));
    fc.assert(
      fc.property(mixed, fc.array(fc.nat({ max: 100 }), { maxLength: 6 }), (bytes, cuts) => {
        expect(streamed(bytes, cuts)).toBe(firstInvalidUtf8(bytes));
      }),
    );
  });

  test('reports a sequence cut off at the end of the stream at its first byte', () => {
    const euro = Buffer.from('ab€', 'utf8');
    expect(streamed(euro.subarray(0, 4), [3])).toBe(2);
    expect(streamed(euro, [3, 4])).toBe(-1);
  });
});
