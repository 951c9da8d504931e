/**
 * The admin token lives in sessionStorage only: gone when the tab closes, never in
 * a URL (so never in history, referrers or access logs) and never logged.
 */
const KEY = "exo-bridge.admin-token";

export function loadToken(storage: Storage | null = safeSession()): string | null {
  const v = storage?.getItem(KEY) ?? null;
  return v === null || v.trim() === "" ? null : v;
}

export function saveToken(token: string, storage: Storage | null = safeSession()): void {
  storage?.setItem(KEY, token.trim());
}

export function clearToken(storage: Storage | null = safeSession()): void {
  storage?.removeItem(KEY);
}

function safeSession(): Storage | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    // Storage can throw when the browser blocks it; the gate then asks on every load.
    return null;
  }
}
