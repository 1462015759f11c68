/** `vexil/openfeature/web`: Vexil's OpenFeature provider for the web SDK. */
export type { BootstrapDocument } from '../shared/bootstrap-document.js';
export type { LiveOptions } from '../shared/live-evaluations.js';
export { VexilWebProvider, type VexilWebProviderOptions } from './vexil-web-provider.js';
