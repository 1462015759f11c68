/** Imports every part of the schema (each registers its types and root fields on the builder). */
import './enums.js';
import './evaluation.js';
import './flag.js';
import './segment.js';
import './environment.js';
import './api-key.js';
import './audit.js';
import './rule.js';
import './explanation.js';
import './subscriptions.js';
import './stale.js';
import './flag-usage.js';
import './code-references.js';
import './webhook.js';
import './rollout.js';
import './sticky.js';
