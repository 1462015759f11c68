/** Enums of the public contract, mapped to the model's lower-case values. */
import { builder } from '../builder.js';

export const FlagKindEnum = builder.enumType('FlagKind', {
  values: {
    RELEASE: { value: 'release' },
    EXPERIMENT: { value: 'experiment' },
    OPS: { value: 'ops' },
    PERMISSION: { value: 'permission' },
  } as const,
});

export const ValueTypeEnum = builder.enumType('ValueType', {
  values: {
    BOOLEAN: { value: 'boolean' },
    STRING: { value: 'string' },
    NUMBER: { value: 'number' },
    JSON: { value: 'json' },
  } as const,
});

/**
 * OpenFeature's reasons. `OFF` and `RULE_MATCH`, the names of the previous release, stay for one
 * release as deprecated values the server never returns, so operations that mention them still validate.
 */
export const EvaluationReasonEnum = builder.enumType('EvaluationReason', {
  values: {
    TARGETING_MATCH: { description: 'A targeting rule matched and serves one variation.' },
    SPLIT: { description: 'A percentage rollout (of a matching rule, or the default serve) picked the variation.' },
    DEFAULT: { description: 'No targeting rule matched; the default serve is one variation.' },
    DISABLED: { description: 'The flag is off in this environment and serves its off variation.' },
    ERROR: { description: 'The evaluation failed; see errorCode. The value is the default value passed in.' },
    OFF: { deprecationReason: 'Renamed DISABLED (OpenFeature); never returned.' },
    RULE_MATCH: { deprecationReason: 'Renamed TARGETING_MATCH (OpenFeature); never returned.' },
    TARGET_MATCH: {
      description:
        "An individual target of the environment lists the context's targeting key (or, in development and staging, another attribute); checked before any rule.",
    },
  } as const,
});

/** OpenFeature's error codes (PARSE_ERROR is vocabulary only: the store rejects rules that do not compile). */
export const EvaluationErrorCodeEnum = builder.enumType('EvaluationErrorCode', {
  values: [
    'FLAG_NOT_FOUND',
    'TYPE_MISMATCH',
    'TARGETING_KEY_MISSING',
    'INVALID_CONTEXT',
    'PARSE_ERROR',
    'GENERAL',
  ] as const,
});

export const ApiKeyKindEnum = builder.enumType('ApiKeyKind', {
  values: {
    EVALUATION: { value: 'evaluation' },
    ADMIN: { value: 'admin' },
    READ_ONLY: { value: 'read-only' },
    SERVER: { value: 'server', description: "Evaluates in-process: may download its environment's flag set." },
  } as const,
});
