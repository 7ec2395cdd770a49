import { startTransition, useCallback, useEffect, useRef, useState } from 'react';
import type { Page } from '../api/types';

export interface Resource<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (d: T) => void;
}

// Arriving data renders in a transition: React renders a long list in slices between which the
// browser handles input, and a data update never blocks the page for the whole render.

/**
 * Loads one thing; reloads when deps change. With initial (a value already at hand, such as a
 * cached one), the first render shows it and the load only confirms it.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[], initial?: T): Resource<T> {
  const [data, setData] = useState<T | undefined>(initial);
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(initial === undefined);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const confirmOnly = useRef(initial !== undefined); // the first load confirms initial: no spinner
  useEffect(() => {
    const ac = new AbortController();
    if (confirmOnly.current) confirmOnly.current = false;
    else setLoading(true);
    setError(undefined);
    loadRef.current(ac.signal).then(
      (d) => {
        if (!ac.signal.aborted) {
          startTransition(() => {
            setData(d);
            setLoading(false);
          });
        }
      },
      (e: unknown) => {
        if (!ac.signal.aborted) {
          setError(e);
          setLoading(false);
        }
      },
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data, error, loading, reload, setData };
}

export interface Paged<T> {
  items: T[];
  error: unknown;
  loading: boolean;
  loadingMore: boolean;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
  update: (fn: (items: T[]) => T[]) => void;
}

/** A cursor-paged list: the first page on mount (and when deps change), then "load more". */
export function usePaged<T>(fetchPage: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>, deps: unknown[]): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [tick, setTick] = useState(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const acRef = useRef<AbortController | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    acRef.current = ac;
    setLoading(true);
    setError(undefined);
    fetchRef.current(undefined, ac.signal).then(
      (p) => {
        if (ac.signal.aborted) return;
        startTransition(() => {
          setItems(p.items);
          setCursor(p.nextCursor);
          setLoading(false);
        });
      },
      (e: unknown) => {
        if (ac.signal.aborted) return;
        setItems([]);
        setCursor(null);
        setError(e);
        setLoading(false);
      },
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore) return;
    const ac = acRef.current;
    setLoadingMore(true);
    fetchRef.current(cursor, ac?.signal ?? new AbortController().signal).then(
      (p) => {
        if (ac?.signal.aborted) return;
        startTransition(() => {
          setItems((prev) => [...prev, ...p.items]);
          setCursor(p.nextCursor);
          setLoadingMore(false);
        });
      },
      (e: unknown) => {
        if (ac?.signal.aborted) return;
        setError(e);
        setLoadingMore(false);
      },
    );
  }, [cursor, loadingMore]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { items, error, loading, loadingMore, hasMore: cursor !== null, loadMore, reload, update: setItems };
}
