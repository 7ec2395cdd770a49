import { api, onAuthEvent } from '../api/client';
import type { Catalog } from '../api/types';
import { useResource } from './hooks';

let cached: Promise<Catalog> | null = null;
let loaded: Catalog | undefined; // what cached resolved to: a dialog opened later has it at once

// The catalog is the partner's cloud's: whoever signs in next in this tab may be another partner's.
onAuthEvent((e) => {
  if (e.type === 'signed-out') {
    cached = null;
    loaded = undefined;
  }
});

/** The partner's cloud catalog (products, support topics), read once per session in this tab. */
export function useCatalog() {
  return useResource(() => {
    if (!cached) {
      cached = api.get<Catalog>('/catalog').then(
        (c) => (loaded = c),
        (e: unknown) => {
          cached = null;
          throw e;
        },
      );
    }
    return cached;
  }, [], loaded);
}
