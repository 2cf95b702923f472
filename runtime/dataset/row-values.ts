// The last check before a row is written: values that cannot be written as they are fail the row (with the
// field's JSON pointer) instead of changing silently on the way to disk.
//  - NaN and ±Infinity anywhere: JSON would write them as `null`, which a non-optional `float` must never
//    hold, and CSV and Parquet would disagree with JSON;
//  - an `int` field must hold an exact integer within ±(2^53 − 1): beyond that a JavaScript number is
//    rounded, and Parquet's INT64 column could not hold every such value either.
import type { Value } from '../../compiler/plan/eval.js';
import { shortValue } from '../../compiler/plan/show-expr.js';
import type { FailureCause } from '../cause.js';

/** The first value of `row` that cannot be written, as a cause; undefined when every value can. */
export function unwritableValue(row: Record<string, Value>, rowSchema: unknown, dataset: string): FailureCause | undefined {
  const found = walk(row, rowSchema, '');
  if (!found) return undefined;
  const { pointer, value, why } = found;
  return { kind: 'value', key: `value ${dataset} ${pointer.replace(/\/\d+(?=\/|$)/g, '/*')} ${why}`, message: `${pointer} is ${shortValue(value)}: ${why === 'non-finite' ? 'NaN and ±Infinity cannot be written (JSON would turn them into null)' : 'an int must be an exact integer between -9007199254740991 and 9007199254740991'}`, repeats: true };
}

function walk(v: Value, schema: unknown, at: string): { pointer: string; value: Value; why: 'non-finite' | 'inexact' } | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return { pointer: at || '/', value: v, why: 'non-finite' };
    if (!Number.isSafeInteger(v) && Number.isInteger(v) && isInteger(schema)) return { pointer: at || '/', value: v, why: 'inexact' };
    return undefined;
  }
  if (v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) {
    const items = field(schema, 'items');
    for (let i = 0; i < v.length; i++) {
      const x = v[i]!;
      if (x === null || typeof x === 'string' || typeof x === 'boolean') continue;
      const r = walk(x, items, `${at}/${i}`);
      if (r) return r;
    }
    return undefined;
  }
  let props: Record<string, unknown> | undefined | null = null; // looked up once, when needed
  for (const k in v) {
    const x = v[k]!;
    if (x === null || typeof x === 'string' || typeof x === 'boolean') continue;
    if (typeof x === 'number' && Number.isSafeInteger(x)) continue;
    if (typeof x === 'number' && Number.isFinite(x) && !Number.isInteger(x)) continue;
    if (props === null) props = field(schema, 'properties') as Record<string, unknown> | undefined;
    const r = walk(x, props?.[k], `${at}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    if (r) return r;
  }
  return undefined;
}

/** A member of a schema, looking through `anyOf` (optional types are `anyOf: [T, null]`). */
function field(schema: unknown, key: string): unknown {
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as Record<string, unknown>;
  if (key in s) return s[key];
  if (Array.isArray(s['anyOf'])) for (const b of s['anyOf'] as unknown[]) {
    const f = field(b, key);
    if (f !== undefined) return f;
  }
  return undefined;
}

function isInteger(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object') return false;
  const s = schema as Record<string, unknown>;
  const t = s['type'];
  if (t === 'integer' || (Array.isArray(t) && t.includes('integer'))) return true;
  return Array.isArray(s['anyOf']) && (s['anyOf'] as unknown[]).some(isInteger);
}
