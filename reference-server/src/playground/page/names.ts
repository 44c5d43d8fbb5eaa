/** Display names: the playground puts `{"name": …}` in each token's connection data. */
import type { Connection } from '@parley/client';

/** The name a connection joined with (other apps' clients may send other data: shown as is). */
export function displayName(connection: Connection | null): string {
  if (!connection) return 'Server';
  try {
    const data = JSON.parse(connection.data) as { name?: unknown };
    if (typeof data.name === 'string' && data.name !== '') return data.name;
  } catch {
    // Not the playground's JSON.
  }
  return connection.data || `Guest ${connection.connectionId.slice(0, 6)}`;
}

/** Initials for a tile without video. */
export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => [...word][0]?.toUpperCase() ?? '')
    .join('');
}
