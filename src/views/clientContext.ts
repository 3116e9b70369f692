/** How views reach the page's one InqClient without importing the worker bridge's construction. */
import { createContext, useContext } from 'react';
import type { InqClient } from '../worker/client.ts';

/** The page's InqClient (main.tsx provides it). */
export const ClientContext = createContext<InqClient | null>(null);

/** The page's InqClient; throws outside the provider. */
export function useInqClient(): InqClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useInqClient needs <ClientContext value={client}>');
  return client;
}
