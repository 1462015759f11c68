/**
 * The console's shell: sign-in until a key is accepted, then the navigation and the pages. Routing is
 * preact-iso's (history API under /console/; the gateway answers index.html for every page path).
 */
import { LocationProvider, Route, Router } from 'preact-iso';
import { CreateFlagPage } from './create-flag-page.js';
import { EnvironmentsPage } from './environments-page.js';
import { FlagPage } from './flag-page.js';
import { FlagsPage } from './flags-page.js';
import { HistoryPage } from './history-page.js';
import { KeysPage } from './keys-page.js';
import { liveState } from './live.js';
import { SegmentsPage } from './segments-page.js';
import { canWrite, signOut, viewer } from './session.js';
import { SignIn } from './sign-in.js';

export const base = '/console';

const pages = [
  ['Flags', `${base}/`],
  ['History', `${base}/history`],
  ['Segments', `${base}/segments`],
  ['Environments', `${base}/environments`],
  ['API keys', `${base}/keys`],
] as const;

function Header() {
  const who = viewer.value;
  return (
    <header class="top">
      <a class="brand" href={`${base}/`}>
        Vexil console
      </a>
      <nav aria-label="Console">
        {pages.map(([label, href]) => (
          <a key={href} href={href}>
            {label}
          </a>
        ))}
      </nav>
      <div class="who">
        <span class={`live live-${liveState.value}`} title="Live updates">
          {liveState.value === 'live' ? 'live' : liveState.value}
        </span>
        <span>
          {who?.name} ({canWrite.value ? 'admin' : 'read-only'})
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </div>
    </header>
  );
}

function NotFound() {
  return (
    <main>
      <h1>Page not found</h1>
      <p>
        <a href={`${base}/`}>Go to the flags</a>.
      </p>
    </main>
  );
}

export function App() {
  if (!viewer.value) return <SignIn />;
  return (
    <LocationProvider scope={base}>
      <Header />
      {!canWrite.value && (
        <p class="banner" role="note">
          Read-only key: you can look at everything, but switches and editors are disabled. Sign in with an admin key to
          make changes.
        </p>
      )}
      <Router>
        <Route path={`${base}/`} component={FlagsPage} />
        <Route path={`${base}/new`} component={CreateFlagPage} />
        <Route path={`${base}/flags/:key`} component={FlagPage} />
        <Route path={`${base}/history`} component={HistoryPage} />
        <Route path={`${base}/segments`} component={SegmentsPage} />
        <Route path={`${base}/environments`} component={EnvironmentsPage} />
        <Route path={`${base}/keys`} component={KeysPage} />
        <Route default component={NotFound} />
      </Router>
    </LocationProvider>
  );
}
