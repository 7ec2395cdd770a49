// The one API client: JSON in and out, RFC 9457 problems as ApiError, the access token in memory
// only (this module's variable; never localStorage or sessionStorage), refreshed through the
// HttpOnly refresh cookie (POST /auth/refresh with X-PAC-CSRF) on demand: before a request when it
// is about to expire, and after a 401. No timer refreshes it, and background requests (polling)
// never do: a tab left open goes idle like any other, and the server's idle limit ends its session.
import type { SignInResponse, TokenResponse } from './types';

export interface FieldError {
  field: string;
  code: string;
  detail: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly field?: string;
  readonly errors: FieldError[];
  readonly requestId?: string;
  readonly retryAfter?: number;

  constructor(init: {
    status: number;
    code: string;
    detail: string;
    field?: string;
    errors?: FieldError[];
    requestId?: string;
    retryAfter?: number;
  }) {
    super(init.detail || init.code);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.field = init.field;
    this.errors = init.errors ?? [];
    this.requestId = init.requestId;
    this.retryAfter = init.retryAfter;
  }

  /** The error of one field (dotted path as the API reports it), if any. */
  fieldError(field: string): FieldError | undefined {
    const hit = this.errors.find((e) => e.field === field);
    if (hit) return hit;
    if (this.field === field) return { field, code: this.code, detail: this.detail };
    return undefined;
  }
}

export function isApiError(e: unknown, code?: string): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

export interface SessionFlags {
  passwordChangeRequired: boolean;
  mfaEnrolmentRequired: boolean;
}

export type AuthEvent =
  | { type: 'signed-in'; flags: SessionFlags }
  | { type: 'signed-out' }
  | { type: 'restricted'; code: 'password_change_required' | 'mfa_enrolment_required' };

let accessToken: string | null = null;
let expiresAt = 0;
// Refresh this long before the token expires: 10 s, or a fifth of a shorter lifetime.
let lead = 10_000;
let refreshing: Promise<boolean> | null = null;
const listeners = new Set<(e: AuthEvent) => void>();

const channel: BroadcastChannel | null = typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('pac-session');
if (channel) {
  channel.onmessage = (ev: MessageEvent) => {
    // Another tab signed out: the refresh cookie is gone, so this tab's session is over too.
    if (ev.data === 'signed-out' && accessToken) {
      clearToken();
      emit({ type: 'signed-out' });
    }
  };
}

export function onAuthEvent(fn: (e: AuthEvent) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit(e: AuthEvent) {
  for (const fn of listeners) fn(e);
}

function clearToken() {
  accessToken = null;
  expiresAt = 0;
}

/** Keeps a token from a sign-in, refresh or password change. */
export function acceptToken(t: TokenResponse): SessionFlags {
  accessToken = t.accessToken;
  expiresAt = Date.now() + t.expiresIn * 1000;
  lead = Math.min(10_000, t.expiresIn * 200);
  const flags = {
    passwordChangeRequired: !!t.passwordChangeRequired,
    mfaEnrolmentRequired: !!t.mfaEnrolmentRequired,
  };
  emit({ type: 'signed-in', flags });
  return flags;
}

export function hasToken(): boolean {
  return accessToken !== null;
}

async function doRefresh(): Promise<boolean> {
  try {
    const res = await fetch('/auth/refresh', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-PAC-CSRF': '1', Accept: 'application/json' },
    });
    if (!res.ok) return false;
    const body = (await res.json()) as TokenResponse;
    if (!body.accessToken) return false;
    acceptToken(body);
    return true;
  } catch {
    return false;
  }
}

/**
 * Gets a new access token with the refresh cookie. Serialized within the tab (one promise) and
 * across tabs (a Web Lock), since the cookie rotates on every use and a reused one ends the
 * session. False (signed out) when there is no session — including while the route does not
 * exist yet (404).
 */
export function refresh(): Promise<boolean> {
  if (!refreshing) {
    const run = () => doRefresh();
    const p: Promise<boolean> =
      typeof navigator !== 'undefined' && navigator.locks
        ? navigator.locks.request('pac-refresh', run).then((ok) => ok)
        : run();
    refreshing = p.then((ok) => {
      refreshing = null;
      if (!ok && accessToken) {
        clearToken();
        emit({ type: 'signed-out' });
      }
      return ok;
    });
  }
  return refreshing;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal;
  /** Send the bearer token and refresh on 401 (default true). */
  auth?: boolean;
  /**
   * A request nobody asked for (polling): it never refreshes the session, so it does not keep an
   * idle tab's session alive. Without a fresh token, or on a 401, it fails with the code `idle`
   * and changes nothing; the next request a person makes refreshes.
   */
  background?: boolean;
}

/** The error of a background request that found no fresh token (see RequestOptions.background). */
export function isIdle(e: unknown): boolean {
  return isApiError(e, 'idle');
}

const idle = () => new ApiError({ status: 0, code: 'idle', detail: 'no fresh access token for a background request' });

function buildUrl(path: string, query?: RequestOptions['query']): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  }
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

async function toError(res: Response): Promise<ApiError> {
  const retryAfter = Number(res.headers.get('Retry-After')) || undefined;
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return new ApiError({
    status: res.status,
    code: str(body.code) ?? `http_${res.status}`,
    detail: str(body.detail) ?? str(body.message) ?? res.statusText,
    field: str(body.field),
    errors: Array.isArray(body.errors) ? (body.errors as FieldError[]) : [],
    requestId: str(body.requestId),
    retryAfter,
  });
}

async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json, application/problem+json' };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  if (opts.auth !== false && accessToken) headers.Authorization = `Bearer ${accessToken}`;
  return fetch(buildUrl(path, opts.query), {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    credentials: 'same-origin',
    signal: opts.signal,
  });
}

export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const authed = opts.auth !== false;
  if (authed && (!accessToken || expiresAt - Date.now() < lead)) {
    if (opts.background) throw idle();
    await refresh();
  }
  let res: Response;
  try {
    res = await send(method, path, opts);
    if (authed && res.status === 401 && opts.background) throw idle();
    if (authed && res.status === 401) {
      const err = await toError(res);
      if (err.code !== 'unauthenticated') throw err;
      if (!(await refresh())) throw err;
      res = await send(method, path, opts);
    }
  } catch (e) {
    if (e instanceof ApiError || (e instanceof DOMException && e.name === 'AbortError')) throw e;
    throw new ApiError({ status: 0, code: 'network', detail: String(e) });
  }
  if (!res.ok) {
    const err = await toError(res);
    if (authed && res.status === 401) {
      clearToken();
      emit({ type: 'signed-out' });
    }
    if (err.code === 'password_change_required' || err.code === 'mfa_enrolment_required') {
      emit({ type: 'restricted', code: err.code });
    }
    throw err;
  }
  if (res.status === 204) {
    return undefined as T;
  }
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
  post: <T>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', path, { ...opts, body }),
  put: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PUT', path, { ...opts, body }),
  patch: <T>(path: string, body: unknown, opts?: RequestOptions) => request<T>('PATCH', path, { ...opts, body }),
  del: <T = void>(path: string, body?: unknown, opts?: RequestOptions) => request<T>('DELETE', path, { ...opts, body }),
};

/** A fresh key for a create (the API deduplicates retries with it). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

// --- sign-in and sign-out ---

export async function signIn(email: string, password: string): Promise<SignInResponse> {
  const r = await request<SignInResponse>('POST', '/auth/sign-in', { body: { email, password }, auth: false });
  if ('accessToken' in r) acceptToken(r);
  return r;
}

export async function signInMfa(mfaToken: string, second: { code: string } | { recoveryCode: string }): Promise<TokenResponse> {
  const r = await request<TokenResponse>('POST', '/auth/sign-in/mfa', { body: { mfaToken, ...second }, auth: false });
  acceptToken(r);
  return r;
}

export async function changePassword(currentPassword: string, newPassword: string): Promise<void> {
  const r = await request<TokenResponse>('POST', '/me/password', { body: { currentPassword, newPassword } });
  acceptToken(r);
}

export async function signOut(everywhere = false): Promise<void> {
  try {
    if (accessToken) {
      await send('POST', '/auth/sign-out', { body: everywhere ? { everywhere: true } : {} });
    }
  } catch {
    /* signed out locally whatever the API said */
  }
  clearToken();
  channel?.postMessage('signed-out');
  emit({ type: 'signed-out' });
}
