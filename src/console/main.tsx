/** The console's entry: resume this tab's session, then render the app. */
import { render } from 'preact';
import { App } from './app.js';
import { resume } from './session.js';
import './live.js';

void resume().finally(() => render(<App />, document.getElementById('app')!));
