import { type QueryClient, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import { onSessionEnded, setCsrfToken } from './api/client';
import { getMeta, getSession, updateMe } from './api/endpoints';
import type { Meta, Session, StepResponse } from './api/types';
import { useLocale } from './locale';

export const SESSION_KEY = ['session'] as const;
export const META_KEY = ['meta'] as const;

/** Why the person is looking at the sign-in page, shown to them in their language. */
export type SignedOutReason = 'expired' | 'signed-out';

interface SessionContextValue {
  session: Session | null;
  /** Switches the app to signed-in with the answer of a completed sign-in step. */
  establish: (response: StepResponse) => void;
  /** Switches the app to signed-out and forgets all cached server data. */
  end: (reason: SignedOutReason) => void;
  reason: SignedOutReason | null;
}

const SessionContext = createContext<SessionContextValue | null>(null);

/** Public metadata (demo flag, roles, version): fetched once, needed before sign-in. */
export function useMeta() {
  return useQuery({ queryKey: META_KEY, queryFn: getMeta, staleTime: Number.POSITIVE_INFINITY, retry: 1 });
}

function forgetPrivateData(queryClient: QueryClient) {
  queryClient.removeQueries({
    predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] && q.queryKey[0] !== META_KEY[0],
  });
}

interface SessionGateProps {
  loading: ReactNode;
  failed: (retry: () => void) => ReactNode;
  children: ReactNode;
}

/**
 * Owns "who is signed in". The session query is the single source of truth; a 401 from any other call,
 * or a session that disappears on refetch, ends it with the "session ended" notice.
 */
export function SessionProvider({ loading, failed, children }: SessionGateProps) {
  const queryClient = useQueryClient();
  const { locale, setLocale, chosenExplicitly, forgetExplicitChoice } = useLocale();
  const meta = useMeta();
  const [reason, setReason] = useState<SignedOutReason | null>(null);

  const query = useQuery({
    queryKey: SESSION_KEY,
    queryFn: async () => {
      const before = queryClient.getQueryData<Session | null>(SESSION_KEY);
      const session = await getSession();
      if (session) setCsrfToken(session.csrfToken);
      else if (before) {
        setReason('expired');
        forgetPrivateData(queryClient);
      }
      return session;
    },
    staleTime: 60_000,
    refetchOnWindowFocus: true,
    retry: 1,
  });

  const end = useCallback(
    (why: SignedOutReason) => {
      setCsrfToken(null);
      queryClient.setQueryData(SESSION_KEY, null);
      forgetPrivateData(queryClient);
      forgetExplicitChoice();
      setReason(why);
    },
    [queryClient, forgetExplicitChoice],
  );

  useEffect(() => {
    onSessionEnded(() => {
      if (queryClient.getQueryData(SESSION_KEY)) end('expired');
    });
    return () => onSessionEnded(null);
  }, [end, queryClient]);

  const establish = useCallback(
    (response: StepResponse) => {
      if (!response.user) return;
      setCsrfToken(response.csrfToken);
      const demo = queryClient.getQueryData<Meta>(META_KEY)?.demo ?? false;
      const next: Session = { user: response.user, csrfToken: response.csrfToken, demo };
      queryClient.setQueryData<Session | null>(SESSION_KEY, next);
      setReason(null);
    },
    [queryClient],
  );

  // When someone signs in, their profile language wins unless they just picked one on this page.
  const session = query.data ?? null;
  const userId = session?.user.id;
  const userLocale = session?.user.locale;
  const synced = useRef<string | null>(null);
  useEffect(() => {
    if (!userId || !userLocale || synced.current === userId) return;
    synced.current = userId;
    if (userLocale === locale) return;
    if (chosenExplicitly()) {
      updateMe({ locale })
        .then(({ user }) =>
          queryClient.setQueryData<Session | null>(SESSION_KEY, (s) => (s ? { ...s, user } : s)),
        )
        .catch(() => undefined);
    } else {
      setLocale(userLocale);
    }
  }, [userId, userLocale, locale, chosenExplicitly, setLocale, queryClient]);
  useEffect(() => {
    if (!userId) synced.current = null;
  }, [userId]);

  const demoFromMeta = meta.data?.demo;
  const value = useMemo<SessionContextValue>(
    () => ({
      session:
        session && demoFromMeta !== undefined ? { ...session, demo: session.demo || demoFromMeta } : session,
      establish,
      end,
      reason,
    }),
    [session, demoFromMeta, establish, end, reason],
  );

  if (query.isPending) return <>{loading}</>;
  if (query.isError && query.data === undefined) return <>{failed(() => void query.refetch())}</>;
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** For screens that only render when signed in. */
export function useSignedInSession(): Session {
  const { session } = useSession();
  if (!session) throw new Error('useSignedInSession without a session');
  return session;
}
