/**
 * GraphiQL for `--dev`, with every asset inlined. yoga's built-in page loads GraphiQL, its CSS and the
 * Monaco editor workers from unpkg.com, so it is a blank page offline or behind a strict proxy;
 * @graphql-yoga/render-graphiql ships the same GraphiQL build inside the package.
 *
 * The package is ~9 MB of JavaScript: it is imported on the first GraphiQL request, not at start-up,
 * and each rendered page (the options rarely vary) is kept.
 */
import type { GraphiQLOptions } from 'graphql-yoga';

const pages = new Map<string, Promise<string>>();

export function renderOfflineGraphiQL(options: GraphiQLOptions): Promise<string> {
  const key = JSON.stringify(options);
  let page = pages.get(key);
  if (!page) {
    page = import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options));
    pages.set(key, page);
    page.catch(() => pages.delete(key));
  }
  return page;
}
