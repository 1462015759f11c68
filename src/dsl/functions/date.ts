/** `date(s | ms)` and `now()`: instants from ISO-8601 text or epoch milliseconds. */
import { RuleDate } from '../values.js';
import { memoize } from './memo.js';

// Calendar date, optionally a time; a time without an offset is read as UTC so every instance agrees.
const iso8601 = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const maxEpochMs = 8.64e15;

export function toDate(value: unknown): RuleDate | null {
  if (typeof value === 'number')
    return Number.isFinite(value) && Math.abs(value) <= maxEpochMs ? new RuleDate(value) : null;
  return typeof value === 'string' && value.length <= 64 ? parseDate(value) : null;
}

const parseDate = memoize((value: string): RuleDate | null => {
  const match = iso8601.exec(value);
  if (!match) return null;
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '0', zone = 'Z'] = match;
  const offset = zone === 'Z' ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const ms = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}.${millis}${offset}`);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2024-02-31 over to March: reject dates that do not exist.
  const check = new Date(0);
  check.setUTCFullYear(Number(year), Number(month) - 1, Number(day)); // Date.UTC maps years 0-99 to 1900-1999
  if (check.getUTCMonth() !== Number(month) - 1 || check.getUTCDate() !== Number(day)) return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return null;
  return new RuleDate(ms);
});

export function now(): RuleDate {
  return new RuleDate(Date.now());
}
