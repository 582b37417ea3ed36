import type { Contract } from '../model';

/**
 * Caches a generator's output per contract object. Contracts are deeply frozen, so the output can never go
 * stale; an app that synthesizes several environments generates each artifact once.
 */
export function perContract<T>(generate: (contract: Contract) => T): (contract: Contract) => T {
  const cache = new WeakMap<Contract, T>();
  return (contract) => {
    if (cache.has(contract)) return cache.get(contract) as T;
    const value = generate(contract);
    cache.set(contract, value);
    return value;
  };
}
