import { lineColumn, parseBody, scanJson } from '../../../runtime/ingest/body';

const limits = { maxDepth: 8 };

describe('parseBody', () => {
  test('reads one event, an array of events, and NDJSON lines', () => {
    expect(parseBody('{"a":1}', 'json', limits)).toEqual({ ok: true, events: [{ a: 1 }] });
    expect(parseBody(' [ {"a":1}, 2, "x" ] ', 'json', limits)).toEqual({
      ok: true,
      events: [{ a: 1 }, 2, 'x'],
    });
    expect(parseBody('{"a":1}\r\n\n  \n[1]\n"s"', 'ndjson', limits)).toEqual({
      ok: true,
      events: [{ a: 1 }, [1], 's'],
    });
  });

  test('keeps __proto__ and constructor as plain own properties, for the validator to reject', () => {
    const parsed = parseBody('{"__proto__": {"polluted": true}, "constructor": 1}', 'json', limits);
    expect(parsed.ok).toBe(true);
    const event = (parsed as unknown as { events: Record<string, unknown>[] }).events[0] as object;
    expect(Object.keys(event)).toEqual(['__proto__', 'constructor']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test.each([
    ['{"a":}', 'malformed JSON at line 1, column 6 (position 5): expected a value'],
    [
      '{"a":1,}',
      'malformed JSON at line 1, column 8 (position 7): expected a property name in double quotes',
    ],
    ['[1 2]', 'malformed JSON at line 1, column 4 (position 3): expected "," or "]"'],
    ['{"a" 1}', 'malformed JSON at line 1, column 6 (position 5): expected ":"'],
    ['"abc', 'malformed JSON at line 1, column 5 (position 4): unterminated string'],
    ['"a\\qb"', 'malformed JSON at line 1, column 3 (position 2): invalid escape in a string'],
    ['"\\u12G4"', 'malformed JSON at line 1, column 2 (position 1): invalid \\u escape'],
    ['"tab\there"', 'malformed JSON at line 1, column 5 (position 4): control character in a string'],
    ['01', 'malformed JSON at line 1, column 2 (position 1): unexpected data after the value'],
    ['-', 'malformed JSON at line 1, column 1 (position 0): invalid number'],
    ['{"a":1} x', 'malformed JSON at line 1, column 9 (position 8): unexpected data after the value'],
    ['[\n{"a": tru}\n]', 'malformed JSON at line 2, column 7 (position 8): expected a value'],
    ['[[[[[[[[[1]]]]]]]]]', 'malformed JSON at line 1, column 9 (position 8): nesting deeper than 8 levels'],
    [
      '{"a": [',
      'malformed JSON at line 1, column 8 (position 7): unexpected end of input inside a container',
    ],
  ])('fails %j with its position and problem', (text, message) => {
    expect(parseBody(text, 'json', limits)).toEqual({ ok: false, message });
  });

  test('fails an NDJSON body naming the line and the column within it', () => {
    expect(parseBody('{"a":1}\n{"a":\n', 'ndjson', limits)).toEqual({
      ok: false,
      message:
        'malformed NDJSON at line 2, column 6 (position 13): unexpected end of input inside a container',
    });
  });

  test('fails empty bodies and empty arrays', () => {
    expect(parseBody('  ', 'json', limits)).toEqual({
      ok: false,
      message: 'empty body: send one JSON event or an array of events',
    });
    expect(parseBody('[]', 'json', limits)).toEqual({
      ok: false,
      message: 'empty array: send at least one event',
    });
    expect(parseBody('\n\r\n', 'ndjson', limits)).toEqual({
      ok: false,
      message: 'empty body: send one event per line',
    });
  });

  test('agrees with JSON.parse on what is well formed', () => {
    const samples = [
      '0',
      '-0.5e+10',
      '"\\u00e9\\n"',
      '[]',
      '{}',
      '{"a":[{"b":null}],"c":true,"d":false}',
      ' 1 ',
      '1.',
      '.5',
      '1e',
      'nul',
      '[,]',
      '{,}',
      '"\u2028"',
    ];
    for (const s of samples) {
      let parses = true;
      try {
        JSON.parse(s);
      } catch {
        parses = false;
      }
      expect([s, scanJson(s, 64) === undefined]).toEqual([s, parses]);
    }
  });

  test('scans a million brackets without a stack overflow', () => {
    const deep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    expect(scanJson(deep, 2_000_000)).toBeUndefined();
    expect(scanJson(deep, 100)?.problem).toBe('nesting deeper than 100 levels');
  });

  test('lineColumn counts lines from 1', () => {
    expect(lineColumn('ab\ncd\nef', 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn('ab\ncd\nef', 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn('ab\ncd\nef', 6)).toEqual({ line: 3, column: 1 });
  });
});
