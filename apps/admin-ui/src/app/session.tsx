/**
 * Who is signed in and what they may do: customer viewers only read; customer admins and operators change
 * things; operators see every customer and may narrow the console to one (remembered in this browser).
 */
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import type { Role, UserView } from '../api/wire-types.ts';

export interface Session {
  user: UserView;
  role: Role;
  isOperator: boolean;
  /** False for customer viewers: every action is hidden or disabled. */
  canWrite: boolean;
  /** The customer the console shows: the user's own, or the operator's choice (null: every customer). */
  customerId: string | null;
  setCustomerId(customerId: string | null): void;
}

const SessionContext = createContext<Session | null>(null);
const STORAGE_KEY = 'cloudoptim.customer';

function storedCustomer(): string | null {
  try {
    return window.localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

export function SessionProvider({ user, children }: { user: UserView; children: ReactNode }) {
  const [chosen, setChosen] = useState<string | null>(() => (user.role === 'operator' ? storedCustomer() : null));
  const session = useMemo<Session>(() => {
    const isOperator = user.role === 'operator';
    return {
      user,
      role: user.role,
      isOperator,
      canWrite: user.role !== 'customer_viewer',
      customerId: isOperator ? chosen : user.customer_id,
      setCustomerId: (customerId) => {
        if (!isOperator) return;
        setChosen(customerId);
        try {
          if (customerId) window.localStorage.setItem(STORAGE_KEY, customerId);
          else window.localStorage.removeItem(STORAGE_KEY);
        } catch {
          // Private mode: the choice lasts for this page only.
        }
      },
    };
  }, [user, chosen]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/** @throws Error outside a SessionProvider (only signed-in pages use it). */
export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a <SessionProvider>');
  return session;
}

export const ROLE_LABELS: Record<Role, string> = { operator: 'Operator', customer_admin: 'Admin', customer_viewer: 'Viewer' };
