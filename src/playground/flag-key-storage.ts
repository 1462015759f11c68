/** The API key flag mode uses, kept in sessionStorage only: it goes when the tab closes. */

const keyStorage = 'vexil.playground.apiKey';

export function readKey(): string {
  try {
    return sessionStorage.getItem(keyStorage) ?? '';
  } catch {
    return '';
  }
}

export function storeKey(key: string | null): void {
  try {
    if (key) sessionStorage.setItem(keyStorage, key);
    else sessionStorage.removeItem(keyStorage);
  } catch {
    // Storage disabled: the key lives in the input only.
  }
}
