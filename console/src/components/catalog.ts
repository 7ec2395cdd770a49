import { api } from '../api/client';
import type { Catalog } from '../api/types';
import { useResource } from './hooks';

let cached: Promise<Catalog> | null = null;

/** The partner's cloud catalog (products, support topics), read once per page load. */
export function useCatalog() {
  return useResource(() => {
    if (!cached) {
      cached = api.get<Catalog>('/catalog').catch((e: unknown) => {
        cached = null;
        throw e;
      });
    }
    return cached;
  }, []);
}
