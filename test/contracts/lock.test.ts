import { readFileSync } from 'node:fs';
import { parseLock, releaseLock, serializeLock } from '../../contracts/lock';
import { LOCK_PATH } from '../../stacks/contracts/index';
import { baseContract } from './fixtures';

describe('contract lock', () => {
  test('round-trips deterministically, sorted by name', () => {
    const b = baseContract((d) => ({ ...d, name: 'b_stream' }));
    const a = baseContract((d) => ({ ...d, name: 'a_stream' }));
    const text = serializeLock(releaseLock([b, a]));
    expect(parseLock(text, 'x').contracts.map((c) => c.name)).toEqual(['a_stream', 'b_stream']);
    expect(serializeLock(parseLock(text, 'x'))).toBe(text);
  });

  test('a release moves a superseded table version to retired, once', () => {
    const v1 = baseContract();
    const v2 = baseContract((d) => ({ ...d, version: '2.0.0', tableVersion: 2 }));
    const first = releaseLock([v2], releaseLock([v1]));
    expect(first.retired.map((c) => c.tableVersion)).toEqual([1]);
    expect(releaseLock([v2], first).retired).toHaveLength(1);
  });

  test.each([
    ['not JSON', '{', 'x.json: not valid JSON'],
    ['the wrong shape', '{"contracts": []}', 'x.json: expected {"lockVersion": 1'],
    [
      'a duplicate',
      JSON.stringify({ lockVersion: 1, contracts: [baseContract(), baseContract()], retired: [] }),
      'x.json: contract "sale" appears twice',
    ],
    [
      'an invalid contract',
      JSON.stringify({ lockVersion: 1, contracts: [{ ...baseContract(), key: [] }], retired: [] }),
      'key = []: must name at least one key field',
    ],
  ])('fails for %s', (_case, text, message) => {
    expect(() => parseLock(text, 'x.json')).toThrow(message);
  });

  test('the committed lock parses and matches the released example contracts', () => {
    const lock = parseLock(readFileSync(LOCK_PATH, 'utf8'), LOCK_PATH);
    expect(lock.contracts.map((c) => c.name)).toEqual([
      'app_event',
      'inventory_change',
      'order',
      'user_activity',
    ]);
  });
});
