/** `vexil/openfeature/server`: Vexil's OpenFeature provider for the server SDK. */
export type { BootstrapDocument } from '../shared/bootstrap-document.js';
export type { LiveOptions } from '../shared/live-evaluations.js';
export { VexilServerProvider, type VexilServerProviderOptions } from './vexil-server-provider.js';
