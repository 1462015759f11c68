/**
 * The HTML of the landing page at `/`: what this gateway serves, with links only to pages that exist
 * here. Self-contained (inline styles in the playground's colours, system fonts, no scripts).
 */

export interface LandingPageOptions {
  /** GraphiQL is served at /graphql (`--dev`). */
  graphiql: boolean;
  /** The rule playground was built (dist/playground). */
  playground: boolean;
}

const styles = `
  :root { --sans: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
    --mono: ui-monospace, 'SFMono-Regular', 'Cascadia Mono', 'DejaVu Sans Mono', Menlo, Consolas, monospace;
    --bg: #f1f5f9; --panel: #ffffff; --text: #0f172a; --muted: #64748b; --border: #dbe2ea; --accent: #2563eb; color-scheme: light; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 var(--sans); color: var(--text); background: var(--bg); }
  header { display: flex; align-items: center; gap: 10px; padding: 10px 20px; background: #0f172a; color: #e2e8f0; }
  h1 { margin: 0; font-size: 18px; }
  h1 span { font-weight: 400; color: #94a3b8; }
  .mark { width: 14px; height: 18px; background: linear-gradient(135deg, #60a5fa, #2563eb); clip-path: polygon(0 0, 100% 0, 70% 45%, 100% 90%, 0 90%); border-left: 2px solid #cbd5e1; }
  main { max-width: 760px; margin: 24px auto; padding: 0 16px; display: grid; gap: 16px; }
  section { background: var(--panel); border: 1px solid var(--border); border-radius: 8px; padding: 14px 18px; }
  h2 { margin: 0 0 8px; font-size: 16px; }
  ul { margin: 0; padding-left: 18px; }
  li { margin: 4px 0; }
  a { color: var(--accent); }
  a:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
  code { font-family: var(--mono); font-size: 13px; background: #eef2f7; padding: 1px 4px; border-radius: 4px; }
  .muted { color: var(--muted); }`;

function graphqlItems({ graphiql }: LandingPageOptions): string {
  const explore = graphiql
    ? '<li><a href="/graphql">GraphiQL</a> <span class="muted">— explore the schema and run queries (dev mode)</span></li>'
    : '<li class="muted">GraphiQL is off; start the gateway with <code>vexil serve --dev</code> (or <code>NODE_ENV=development</code>) to explore the API at <code>/graphql</code>.</li>';
  return `<li>Endpoint: <code>POST /graphql</code> <span class="muted">— also GET, Server-Sent Events and WebSocket (graphql-ws) for subscriptions</span></li>\n      ${explore}`;
}

function playgroundItem({ playground }: LandingPageOptions): string {
  return playground
    ? '<li><a href="/playground/">Rule playground</a> <span class="muted">— write a rule, see it evaluated against a context, try a flag</span></li>'
    : '<li class="muted">The rule playground is not built here (<code>npm run build</code> builds it into dist/playground).</li>';
}

export function landingPage(options: LandingPageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Vexil feature-flag gateway</title>
<style>${styles}
</style>
</head>
<body>
<header><span class="mark" aria-hidden="true"></span><h1>Vexil <span>feature-flag gateway</span></h1></header>
<main>
  <section aria-labelledby="graphql">
    <h2 id="graphql">GraphQL API</h2>
    <ul>
      ${graphqlItems(options)}
    </ul>
  </section>
  <section aria-labelledby="rules">
    <h2 id="rules">Targeting rules</h2>
    <ul>
      ${playgroundItem(options)}
      <li><a href="/grammar/reference.html">Rule language reference</a> <span class="muted">— operators, functions, bucketing, limits</span></li>
      <li><a href="/grammar/">Syntax diagrams</a></li>
    </ul>
  </section>
  <section aria-labelledby="operations">
    <h2 id="operations">Operations</h2>
    <ul>
      <li><a href="/healthz">Health</a> <span class="muted">— the process is up</span></li>
      <li><a href="/readyz">Readiness</a> <span class="muted">— store reachable and flags loaded</span></li>
      <li><a href="/metrics">Metrics</a> <span class="muted">— Prometheus text format</span></li>
    </ul>
  </section>
</main>
</body>
</html>
`;
}
