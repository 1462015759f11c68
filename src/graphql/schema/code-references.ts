/**
 * Code-reference reports: `reportCodeReferences` (admin keys; what `vexil flags refs --report` sends)
 * and `Flag.codeReferences`, the latest report of each repository that references the flag.
 */
import type { CodeReferenceReport } from '../../store/code-references.js';
import { maxLocationsPerFlag } from '../../store/code-references.js';
import { requireAdmin, requireReader } from '../access.js';
import { builder } from '../builder.js';
import { mapErrors } from '../errors.js';
import { codeReferencesOf } from '../hygiene-loader.js';
import { FlagRef } from './flag.js';

interface FlagCodeReference {
  repository: string;
  scannedAt: string;
  count: number;
  locations: string[];
}

const CodeReferenceRef = builder.objectRef<FlagCodeReference>('CodeReference').implement({
  description: "One repository's references to a flag, from its latest scan.",
  fields: (t) => ({
    repository: t.exposeString('repository'),
    scannedAt: t.exposeString('scannedAt'),
    count: t.exposeInt('count', { description: 'References found (may exceed the locations listed).' }),
    locations: t.exposeStringList('locations', { description: `Up to ${maxLocationsPerFlag} 'file:line' locations.` }),
  }),
});

const CodeReferenceFlagInput = builder.inputType('CodeReferenceFlagInput', {
  description:
    'The references to one flag found in the repository. Flags without references are left out of the report: a flag missing from it has none.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'The flag key as found in the code.' }),
    count: t.int({ required: true, description: 'References found: a positive integer.' }),
    locations: t.stringList({
      required: true,
      description: `Where, as 'path/to/file.ts:42' (path relative to the repository root), at most ${maxLocationsPerFlag}.`,
    }),
  }),
});

const CodeReferenceReportRef = builder
  .objectRef<{ report: CodeReferenceReport; stored: boolean }>('CodeReferenceReportResult')
  .implement({
    fields: (t) => ({
      repository: t.string({ resolve: (result) => result.report.repository }),
      scannedAt: t.string({ resolve: (result) => result.report.scannedAt }),
      flagCount: t.int({
        description: 'Flags referenced in the report.',
        resolve: (result) => result.report.flags.length,
      }),
      stored: t.exposeBoolean('stored', {
        description: 'False when a later scan of this repository is stored already: this report was ignored.',
      }),
    }),
  });

builder.mutationField('reportCodeReferences', (t) =>
  t.field({
    type: CodeReferenceReportRef,
    description:
      "Stores a code scan's findings for one repository (admin keys). The latest scan of each repository (by scannedAt) replaces the previous one; an older one is ignored. " +
      'Feeds Flag.codeReferences and the NO_CODE_REFERENCES stale reason. Malformed input is a VALIDATION error naming each field (e.g. flags[3].locations[0]).',
    args: {
      repository: t.arg.string({
        required: true,
        description: 'The repository scanned, as the scanner names it, e.g. github.com/acme/shop.',
      }),
      scannedAt: t.arg.string({ required: true, description: 'When the scan ran, ISO-8601.' }),
      flags: t.arg({
        type: [CodeReferenceFlagInput],
        required: true,
        description: 'Every flag key referenced in the repository, once each.',
      }),
    },
    resolve: (_root, args, context) => {
      requireAdmin(context);
      return mapErrors(() => context.services.store.reportCodeReferences(args));
    },
  }),
);

builder.objectFields(FlagRef, (t) => ({
  codeReferences: t.field({
    type: [CodeReferenceRef],
    description:
      'References to this flag in the latest report of each repository, by repository (empty when no report mentions it).',
    resolve: (flag, _args, context) => {
      requireReader(context);
      return mapErrors(async () =>
        (await codeReferencesOf(context))
          .flatMap((report) =>
            report.flags
              .filter((entry) => entry.key === flag.key)
              .map((entry) => ({
                repository: report.repository,
                scannedAt: report.scannedAt,
                count: entry.count,
                locations: entry.locations,
              })),
          )
          .sort((a, b) => (a.repository < b.repository ? -1 : 1)),
      );
    },
  }),
}));
