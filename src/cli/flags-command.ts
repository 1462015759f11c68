/**
 * `vexil flags …`: run flags from the command line against a running gateway, without writing
 * GraphQL. Tables for people, `--format json` for scripts; exit 0 done, 1 the gateway refused
 * (its error code is named), 2 usage or connection error.
 */
import { type Action, commandWithActions } from './actions.js';

const usage = `Usage: vexil flags <action> [arguments] [options]

Actions:
  list                          the flags: key, kind, owner, on/off per environment, expiry, stale
      --kind K  --tag T  --owner O  --search TEXT  --archived  --limit N (default 10000)
  get KEY                       one flag: fields, variations, and per environment its rules
      --environment E           only this environment
  create KEY --kind KIND        a new flag, off in every environment
      --type T                  boolean (default), string, number or json
      --variation KEY=VALUE     repeat for each variation (boolean default: on=true, off=false)
      --owner O  --name N  --description D  --tag T (repeatable)
      --expires-at ISO          default for release/experiment flags: the gateway's per-kind default
  toggle KEY on|off --environment E
                                the kill switch: takes effect at once, no version needed
  archive KEY | restore KEY     archived flags answer FLAG_NOT_FOUND; restoring brings them back
  set-rules KEY --environment E --file rules.yaml
                                replace that environment's rules with the file's (a YAML or JSON
                                list of {id?, description?, condition, serve}; or a mapping with
                                rules and optionally on, offVariation, defaultServe)
  targets KEY --environment E   show that environment's individual targets, or change them:
      --add VARIATION=k1,k2     (repeatable) these keys get VARIATION before any rule
      --remove k1,k2            (repeatable) these keys are no longer targets
      --attribute A             for --add: another attribute than targetingKey (development/staging)
      --file targets.yaml       replace them with the file's list of {variation, values, attribute?}
  rollout ACTION KEY --environment E
                                the environment's rollout plan; ACTION is show, set (--file
                                plan.yaml: stages of percentage or weights, hold 1h/4h/1d, guard
                                {query, max}), start, pause, resume, advance (now), or rollback
                                (--to previous (default) or zero)
  refs DIR                      find references to flag keys in source code under DIR
      --fail-on unknown,archived  exit 1 when the code refers to unknown or archived flags
      --report                  send the summary to the gateway (Flag.codeReferences, NO_CODE_REFERENCES)
      --repository NAME         the name the report is filed under (default: DIR's name)
  stale                         the stale-flag report: flag, owner, kind, age, reasons
      --environment E           ONE_VARIATION and ARCHIVED_BUT_CALLED in this environment only
      --fail-on LIST            exit 1 when a flag has one of these reasons (comma-separated):
                                expired, expiring-soon, unused, one-variation, archived-but-called,
                                no-code-references
      --unused-days N (30)  --one-variation-days N (14)  --called-within-days N (7)
      --expiring-within-days N (7)  --now ISO (the report's clock; default the server's)

Options of every action:
  --url URL        the gateway (default: VEXIL_URL), e.g. http://127.0.0.1:4000
  --key KEY        its API key (default: VEXIL_API_KEY); a read-only key is enough to read
  --format F       table (default) or json
  --comment TEXT   (-m) for changes: recorded in the audit log, e.g. "INC-123"

Exit codes: 0 done, 1 the gateway refused (CONFLICT, FORBIDDEN, NOT_FOUND, VALIDATION… named in the
message) or refs/stale found what --fail-on names, 2 usage, input or connection error.
`;

const actions: Record<string, () => Promise<Action>> = {
  list: async () => (await import('./flags/read.js')).listFlags,
  get: async () => (await import('./flags/read.js')).getFlag,
  create: async () => (await import('./flags/write.js')).createFlag,
  toggle: async () => (await import('./flags/write.js')).toggleFlag,
  archive: async () => (args, context) =>
    import('./flags/write.js').then((module) => module.archiveOrRestore('archive', args, context)),
  restore: async () => (args, context) =>
    import('./flags/write.js').then((module) => module.archiveOrRestore('restore', args, context)),
  'set-rules': async () => (await import('./flags/set-rules.js')).setRules,
  targets: async () => (await import('./flags/targets.js')).setTargets,
  rollout: async () => (await import('./flags/rollout.js')).rollout,
  refs: async () => (await import('./flags/refs.js')).findReferences,
  stale: async () => (await import('./flags/stale.js')).staleFlags,
};

export const flagsCommand = commandWithActions(
  'flags',
  'list, inspect, create, toggle, archive flags; set rules; find code references',
  usage,
  actions,
);
