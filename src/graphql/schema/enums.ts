/** Enums of the public contract, mapped to the model's lower-case values. */
import { builder } from '../builder.js';

export const FlagKindEnum = builder.enumType('FlagKind', {
  values: { RELEASE: { value: 'release' }, EXPERIMENT: { value: 'experiment' }, OPS: { value: 'ops' }, PERMISSION: { value: 'permission' } } as const,
});

export const ValueTypeEnum = builder.enumType('ValueType', {
  values: { BOOLEAN: { value: 'boolean' }, STRING: { value: 'string' }, NUMBER: { value: 'number' }, JSON: { value: 'json' } } as const,
});

export const EvaluationReasonEnum = builder.enumType('EvaluationReason', {
  values: ['OFF', 'RULE_MATCH', 'DEFAULT', 'SPLIT', 'ERROR'] as const,
});

export const EvaluationErrorCodeEnum = builder.enumType('EvaluationErrorCode', {
  values: ['FLAG_NOT_FOUND', 'TYPE_MISMATCH', 'TARGETING_KEY_MISSING', 'INVALID_CONTEXT', 'GENERAL'] as const,
});

export const ApiKeyKindEnum = builder.enumType('ApiKeyKind', {
  values: { EVALUATION: { value: 'evaluation' }, ADMIN: { value: 'admin' }, READ_ONLY: { value: 'read-only' } } as const,
});
