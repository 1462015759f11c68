/** The order both backends list environments in. */
import { defaultEnvironments, type Environment } from '../flags/model.js';

/** The default environments in their natural order first, then the others by creation time and key. */
export function sortEnvironments(environments: Environment[]): Environment[] {
  const rank = (key: string) => {
    const index = (defaultEnvironments as readonly string[]).indexOf(key);
    return index < 0 ? defaultEnvironments.length : index;
  };
  return environments.sort(
    (a, b) => rank(a.key) - rank(b.key) || compare(a.createdAt, b.createdAt) || compare(a.key, b.key),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
