/** Individual targets of a flag environment: the `Target` type and its input. */
import { type Target, targetingKeyAttribute } from '../../flags/model.js';
import { builder } from '../builder.js';

export const TargetRef = builder.objectRef<Target>('Target').implement({
  description:
    'Values of one context attribute that always get one variation: checked after the kill switch and before any rule (reason TARGET_MATCH).',
  fields: (t) => ({
    variation: t.exposeString('variation'),
    values: t.exposeStringList('values'),
    attribute: t.string({
      description: 'The context attribute looked up: targetingKey, or another attribute in development and staging.',
      resolve: (target) => target.attribute ?? targetingKeyAttribute,
    }),
  }),
});

export const TargetInput = builder.inputType('TargetInput', {
  fields: (t) => ({
    variation: t.string({ required: true }),
    values: t.stringList({
      required: true,
      description: 'At most 10,000 values per environment, all targets together.',
    }),
    attribute: t.string({
      description: 'Defaults to targetingKey; another attribute (a test override) only in development and staging.',
    }),
  }),
});
