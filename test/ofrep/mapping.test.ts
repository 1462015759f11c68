/** The pure protocol mapping of src/ofrep/: reasons, error codes, statuses, bodies, ETags, the rate limit. */
import { describe, expect, it } from 'vitest';
import { errorResult, type EvaluationResult } from '../../src/flags/evaluation.js';
import { BulkAnswers } from '../../src/ofrep/bulk-answer.js';
import { etagOf, matchesIfNoneMatch } from '../../src/ofrep/etag.js';
import { RateLimiter } from '../../src/ofrep/rate-limit.js';
import { ofrepErrorCode, ofrepReason, statusOfError } from '../../src/ofrep/reasons.js';
import { bulkText, evaluationText } from '../../src/ofrep/responses.js';

describe('reasons and error codes', () => {
  it('maps the engine’s reasons, old and new names, one to one onto OpenFeature’s', () => {
    expect(['OFF', 'DISABLED', 'RULE_MATCH', 'TARGETING_MATCH', 'SPLIT', 'DEFAULT', 'ERROR'].map(ofrepReason)).toEqual([
      'DISABLED',
      'DISABLED',
      'TARGETING_MATCH',
      'TARGETING_MATCH',
      'SPLIT',
      'DEFAULT',
      'ERROR',
    ]);
    expect(ofrepReason('SOMETHING_NEW')).toBe('UNKNOWN');
  });

  it('maps an individual target (TARGET_MATCH) onto OpenFeature’s TARGETING_MATCH, "rule or specific user-targeting"', () => {
    expect(ofrepReason('TARGET_MATCH')).toBe('TARGETING_MATCH');
  });

  it('keeps OpenFeature’s error codes and gives FLAG_NOT_FOUND 404, every other 400', () => {
    const codes = [
      'FLAG_NOT_FOUND',
      'TYPE_MISMATCH',
      'TARGETING_KEY_MISSING',
      'INVALID_CONTEXT',
      'PARSE_ERROR',
      'GENERAL',
    ] as const;
    expect(codes.map(ofrepErrorCode)).toEqual(codes);
    expect(ofrepErrorCode('NEW_CODE')).toBe('GENERAL');
    expect(codes.map(statusOfError)).toEqual([404, 400, 400, 400, 400, 400]);
  });
});

const success: EvaluationResult = Object.freeze({
  key: 'f',
  value: { a: 1 },
  variation: 'v',
  reason: 'TARGETING_MATCH',
  ruleIndex: 0,
  ruleId: 'r1',
  inRollout: undefined,
  errorCode: undefined,
  errorMessage: undefined,
  flagVersion: 3,
  sticky: undefined,
  stickyAssignedAt: undefined,
});

describe('bodies', () => {
  it('writes a success without the flag version, which counts changes in other environments too', () => {
    expect(JSON.parse(evaluationText(success))).toEqual({
      key: 'f',
      value: { a: 1 },
      reason: 'TARGETING_MATCH',
      variant: 'v',
      metadata: { ruleId: 'r1' },
    });
    expect(evaluationText(success)).toBe(evaluationText(success));
  });

  it('writes an individual target as TARGETING_MATCH with metadata target: true', () => {
    const target: EvaluationResult = Object.freeze({
      ...success,
      reason: 'TARGET_MATCH',
      ruleIndex: undefined,
      ruleId: undefined,
    });
    expect(JSON.parse(evaluationText(target))).toEqual({
      key: 'f',
      value: { a: 1 },
      reason: 'TARGETING_MATCH',
      variant: 'v',
      metadata: { target: true },
    });
  });

  it('writes a failure as key, errorCode and errorDetails, and a bulk answer as a flags array', () => {
    const failure = errorResult('g', 'TARGETING_KEY_MISSING', 'needs userId', undefined, 1);
    expect(JSON.parse(evaluationText(failure))).toEqual({
      key: 'g',
      errorCode: 'TARGETING_KEY_MISSING',
      errorDetails: 'needs userId',
    });
    expect(JSON.parse(bulkText([success, failure])).flags.map((flag: { key: string }) => flag.key)).toEqual(['f', 'g']);
    expect(bulkText([])).toBe('{"flags":[]}');
  });
});

describe('ETags', () => {
  it('follow the bytes of the answer', () => {
    expect(etagOf('{"flags":[]}')).toBe(etagOf('{"flags":[]}'));
    expect(etagOf('{"flags":[]}')).not.toBe(etagOf('{"flags":[1]}'));
  });

  it('match If-None-Match lists, weak tags and *', () => {
    const tag = etagOf('x');
    expect(matchesIfNoneMatch(tag, tag)).toBe(true);
    expect(matchesIfNoneMatch(`"a", W/${tag}`, tag)).toBe(true);
    expect(matchesIfNoneMatch('*', tag)).toBe(true);
    expect(matchesIfNoneMatch('"a"', tag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, tag)).toBe(false);
  });
});

describe('bulk answers', () => {
  it('reuse the last answer of an environment for the same result objects, and only for them', () => {
    const answers = new BulkAnswers();
    const first = answers.answer('production', [success]);
    expect(answers.answer('production', [success])).toBe(first);
    expect(first.bytes.equals(Buffer.from(first.body, 'utf8'))).toBe(true);
    const changed = answers.answer('production', [{ ...success, value: { a: 2 } }]);
    expect(changed.etag).not.toBe(first.etag);
    expect(answers.answer('staging', [success]).etag).toBe(first.etag);
    expect(answers.answer('production', [success, success]).body).not.toBe(first.body);
  });
});

describe('rate limit', () => {
  it('allows a second’s worth at once, then refuses with whole seconds to wait, per key', () => {
    const limiter = new RateLimiter(2);
    expect([limiter.take('k', 0).allowed, limiter.take('k', 0).allowed]).toEqual([true, true]);
    expect(limiter.take('k', 0)).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(limiter.take('other', 0).allowed).toBe(true);
    expect(limiter.take('k', 500).allowed).toBe(true);
    expect(limiter.take('k', 500).allowed).toBe(false);
  });

  it('is off at 0', () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('k', 0).allowed).toBe(true);
  });

  it('asks a slow limit to wait as long as a token takes', () => {
    const limiter = new RateLimiter(0.25);
    expect(limiter.take('k', 0).allowed).toBe(true); // a burst is never less than one request
    expect(limiter.take('k', 0)).toEqual({ allowed: false, retryAfterSeconds: 4 });
    expect(limiter.take('k', 4000).allowed).toBe(true);
  });
});
