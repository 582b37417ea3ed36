/**
 * What the gateway's and the loader's manifests share: a version-1 envelope with a list of streams, each named
 * like its contract and carrying the whole contract, checked with every problem reported at once.
 */
import type { Checks } from '../core/validation';
import { assertValidContract } from './dsl';
import type { Contract } from './model';
import { CONTRACT_NAME } from './rules';

interface RawStream {
  readonly name: string;
  readonly contract: unknown;
}

export interface ManifestShape {
  /** How the envelope is written in the error, after `"streams": [...]`, for example `, ...`. */
  readonly envelopeTail: string;
  /** The fields of one stream, for the error of a stream that is not an object. */
  readonly streamFields: string;
}

/**
 * Checks the envelope (throwing at once when it is not one), then each stream's name (a contract name, unique)
 * and contract (valid, with that name), calling `each` for the fields the manifest adds. Returns the streams and
 * their validated contracts by index; the caller throws the collected problems.
 */
export function checkManifestStreams<S extends RawStream>(
  c: Checks,
  raw: unknown,
  shape: ManifestShape,
  each: (stream: S, at: string, contract: Contract | undefined) => void,
): { readonly streams: readonly S[]; readonly contracts: readonly (Contract | undefined)[] } {
  const m = raw as { manifestVersion?: unknown; streams?: unknown } | null;
  if (typeof m !== 'object' || m === null || m.manifestVersion !== 1 || !Array.isArray(m.streams)) {
    c.fail(
      '(manifest)',
      raw === null ? null : typeof raw,
      `must be {"manifestVersion": 1, "streams": [...]${shape.envelopeTail}}`,
    );
    c.throwIfAny();
  }
  const streams = (m as { streams: S[] }).streams;
  c.rule('streams', streams, 'must list at least one stream', (s) => s.length > 0);
  const seen = new Set<string>();
  const contracts = streams.map((s, i): Contract | undefined => {
    const at = `streams[${i}]`;
    if (typeof s !== 'object' || s === null) {
      c.fail(at, s, `must be an object with ${shape.streamFields}`);
      return undefined;
    }
    c.rule(
      `${at}.name`,
      s.name,
      'must be a contract name',
      (n) => typeof n === 'string' && CONTRACT_NAME.test(n),
    );
    if (seen.has(s.name)) c.fail(`${at}.name`, s.name, 'appears twice');
    seen.add(s.name);
    let contract: Contract | undefined;
    try {
      // Checked here: a manifest is read from a file, so its contract is whatever the file holds.
      contract = assertValidContract(s.contract as Contract);
    } catch (error) {
      // The contract's own error already lists every problem; carry it into this one.
      c.fail(`${at}.contract`, s.name, (error as Error).message);
    }
    if (contract && contract.name !== s.name)
      c.fail(`${at}.name`, s.name, `must equal the contract's name ${contract.name}`);
    each(s, at, contract);
    return contract;
  });
  return { streams, contracts };
}
