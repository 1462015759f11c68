/** Structured validation errors: every problem names the field it is about. */

export interface ValidationIssue {
  /** Path of the offending field, e.g. `environments.production.rules[1].condition`. */
  path: string;
  message: string;
  /** `RULE_SYNTAX` for a condition that does not compile; `VALIDATION` otherwise. */
  code: 'VALIDATION' | 'RULE_SYNTAX';
  /** For rule problems: index of the rule in its environment, and the position in the condition. */
  ruleIndex?: number;
  line?: number;
  column?: number;
}

export class ValidationError extends Error {
  readonly code: 'VALIDATION' | 'RULE_SYNTAX';

  constructor(readonly issues: readonly ValidationIssue[]) {
    const first = issues[0];
    super(first ? `${first.path}: ${first.message}` : 'invalid document');
    this.name = 'ValidationError';
    this.code = issues.some((issue) => issue.code === 'RULE_SYNTAX') ? 'RULE_SYNTAX' : 'VALIDATION';
  }
}

export function isValidationError(error: unknown): error is ValidationError {
  return error instanceof ValidationError;
}
