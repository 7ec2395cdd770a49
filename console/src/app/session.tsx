import { createContext, startTransition, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, onAuthEvent, refresh, signOut as apiSignOut, type SessionFlags } from '../api/client';
import type { Me, Overview } from '../api/types';

export type SessionState =
  | { status: 'restoring' }
  | { status: 'signedOut'; expired: boolean }
  | { status: 'restricted'; flags: SessionFlags }
  | { status: 'loading' }
  | { status: 'ready'; me: Me; overview: Overview }
  | { status: 'failed'; error: unknown };

interface SessionContextValue {
  state: SessionState;
  /** Re-reads /me and /overview (after a change to the caller's own record or the company). */
  reloadContext: () => void;
  /** The forced step (password change, two-factor enrolment) is done. */
  clearFlag: (flag: keyof SessionFlags) => void;
  signOut: (everywhere?: boolean) => Promise<void>;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/**
 * The session: restored from the refresh cookie on load. whileRestoring runs once the restoring
 * refresh is under way (the console starts loading the signed-in pages meanwhile).
 */
export function SessionProvider({ children, whileRestoring }: { children: ReactNode; whileRestoring?: () => void }) {
  const [state, setState] = useState<SessionState>({ status: 'restoring' });
  const flagsRef = useRef<SessionFlags>({ passwordChangeRequired: false, mfaEnrolmentRequired: false });
  const wasSignedIn = useRef(false);
  const whileRestoringRef = useRef(whileRestoring);

  const load = useCallback(() => {
    setState({ status: 'loading' });
    Promise.all([api.get<Me>('/me'), api.get<Overview>('/overview')]).then(
      ([me, overview]) => {
        // /me may carry what the token response did not (an older session): honour it.
        if (me.passwordChangeRequired) {
          flagsRef.current = { ...flagsRef.current, passwordChangeRequired: true };
          setState({ status: 'restricted', flags: flagsRef.current });
          return;
        }
        // A transition: React renders the signed-in console in slices, and the page stays responsive.
        startTransition(() => setState({ status: 'ready', me, overview }));
      },
      (e: unknown) => {
        if (flagsRef.current.passwordChangeRequired || flagsRef.current.mfaEnrolmentRequired) {
          setState({ status: 'restricted', flags: flagsRef.current });
        } else {
          setState((s) => (s.status === 'signedOut' ? s : { status: 'failed', error: e }));
        }
      },
    );
  }, []);

  const applyFlags = useCallback(
    (flags: SessionFlags) => {
      flagsRef.current = flags;
      if (flags.passwordChangeRequired || flags.mfaEnrolmentRequired) {
        setState({ status: 'restricted', flags });
      } else {
        load();
      }
    },
    [load],
  );

  useEffect(() => {
    const off = onAuthEvent((e) => {
      if (e.type === 'signed-in') {
        const wasReady = wasSignedIn.current;
        wasSignedIn.current = true;
        // A routine refresh of a working session changes nothing on screen.
        if (wasReady && !e.flags.passwordChangeRequired && !e.flags.mfaEnrolmentRequired && !flagsRef.current.passwordChangeRequired && !flagsRef.current.mfaEnrolmentRequired) {
          return;
        }
        applyFlags(e.flags);
      } else if (e.type === 'signed-out') {
        const expired = wasSignedIn.current;
        wasSignedIn.current = false;
        setState({ status: 'signedOut', expired });
      } else if (e.type === 'restricted') {
        const flags = {
          ...flagsRef.current,
          [e.code === 'password_change_required' ? 'passwordChangeRequired' : 'mfaEnrolmentRequired']: true,
        };
        flagsRef.current = flags;
        setState({ status: 'restricted', flags });
      }
    });
    // On page load: a refresh restores the session of the refresh cookie (reload, deep links).
    void refresh().then((ok) => {
      if (!ok) setState({ status: 'signedOut', expired: false });
    });
    whileRestoringRef.current?.();
    return off;
  }, [applyFlags]);

  const clearFlag = useCallback(
    (flag: keyof SessionFlags) => {
      applyFlags({ ...flagsRef.current, [flag]: false });
    },
    [applyFlags],
  );

  const signOut = useCallback(async (everywhere?: boolean) => {
    wasSignedIn.current = false;
    await apiSignOut(everywhere);
    setState({ status: 'signedOut', expired: false });
  }, []);

  const value = useMemo(() => ({ state, reloadContext: load, clearFlag, signOut }), [state, load, clearFlag, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** The signed-in partner user and partner (only inside the app shell). */
export function useCaller(): { me: Me; overview: Overview } {
  const { state } = useSession();
  if (state.status !== 'ready') throw new Error('useCaller before the session is ready');
  return { me: state.me, overview: state.overview };
}
