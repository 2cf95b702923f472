// Local validation of LLM answers against the return type's JSON Schema (ajv, compiled once per schema). The
// client runs this on every answer, then the caller's own validator (the type checker's constraints), and feeds
// the messages back to the model on a retry, so they are written for the model to read.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { canonicalJson } from './cache.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

let ajv: Ajv | undefined;
const byObject = new WeakMap<object, ValidateFunction>();
const byText = new Map<string, ValidateFunction>();

function compile(schema: object): ValidateFunction {
  let fn = byObject.get(schema);
  if (fn) return fn;
  const text = canonicalJson(schema);
  fn = byText.get(text);
  if (!fn) {
    ajv ??= addFormats(new Ajv({ allErrors: true, strict: false, unicodeRegExp: true }));
    fn = ajv.compile(schema);
    byText.set(text, fn);
  }
  byObject.set(schema, fn);
  return fn;
}

function describe(e: ErrorObject): string {
  const at = e.instancePath || '(root)';
  switch (e.keyword) {
    case 'required':
      return `${at}: missing required field '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'additionalProperties':
      return `${at}: unexpected field '${(e.params as { additionalProperty: string }).additionalProperty}'`;
    case 'enum':
      return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${at}: ${e.message ?? e.keyword}`;
  }
}

/** Validation errors of `value` under `schema` (empty when valid), at most `max` of them. */
export function schemaErrors(schema: object, value: unknown, max = 20): string[] {
  const fn = compile(schema);
  if (fn(value)) return [];
  return (fn.errors ?? []).slice(0, max).map(describe);
}

/** A validator for `LlmClient.call`. */
export function schemaValidator(schema: object): (value: unknown) => string[] {
  return (value) => schemaErrors(schema, value);
}

/** Does this schema accept null (`type: [T, "null"]`, `type: "null"` or an `anyOf` with a null branch)? */
function nullable(s: unknown): boolean {
  if (!s || typeof s !== 'object') return false;
  const o = s as Record<string, unknown>;
  const t = o['type'];
  if (t === 'null' || (Array.isArray(t) && t.includes('null'))) return true;
  return Array.isArray(o['anyOf']) && (o['anyOf'] as unknown[]).some(nullable);
}

/** The branch of a schema that describes a value of this JSON type (through `anyOf`), if any. */
function branchFor(s: unknown, v: unknown): Record<string, unknown> | undefined {
  if (!s || typeof s !== 'object') return undefined;
  const o = s as Record<string, unknown>;
  if (Array.isArray(o['anyOf'])) {
    for (const b of o['anyOf'] as unknown[]) {
      const hit = branchFor(b, v);
      if (hit) return hit;
    }
    return undefined;
  }
  const t = o['type'];
  const types = Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
  const want = Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v === 'object' ? 'object' : undefined;
  return want && (types.includes(want) || (types.length === 0 && want === 'object' && o['properties'])) ? o : undefined;
}

/**
 * Fills in, with null, every optional field an answer left out: `T?` means "T or absent", and Synth's schemas
 * list optional fields as required-but-nullable (what strict structured output needs), so an answer in
 * non-strict or json_object mode that omits one is complete, not invalid. Walks nested objects and arrays.
 * Mutates and returns `value`.
 */
export function fillOmittedOptionals(schema: unknown, value: unknown): unknown {
  const s = branchFor(schema, value);
  if (!s) return value;
  if (Array.isArray(value)) {
    for (const item of value) fillOmittedOptionals(s['items'], item);
    return value;
  }
  if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const props = (s['properties'] ?? {}) as Record<string, unknown>;
    for (const [k, ps] of Object.entries(props)) {
      if (!(k in o)) {
        if (nullable(ps)) o[k] = null;
      } else fillOmittedOptionals(ps, o[k]);
    }
  }
  return value;
}

/**
 * Integers that JSON parsing could not keep exact: a field of type `integer` must hold a value within
 * ±(2^53 − 1) (JavaScript numbers are exact only there; any larger literal was rounded while parsing, and an
 * `int` also has to fit the int64 columns of Parquet). Returns messages with the field's JSON pointer.
 */
/**
 * The number literals of JSON text `text` as written, by the value JSON.parse gives them: an integer beyond
 * 2^53 parses rounded (12345678901234567890 → 12345678901234567000), and a message should show the model's
 * own digits. (Node 20's JSON.parse has no source-text access.) Strings are skipped, escapes included.
 */
export function numberLiterals(text: string): Map<number, string> {
  const out = new Map<number, string>();
  const re = /"(?:[^"\\]|\\.)*"|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  for (const m of text.matchAll(re)) {
    if (m[0].startsWith('"')) continue;
    const v = Number(m[0]);
    if (!out.has(v)) out.set(v, m[0]);
  }
  return out;
}

/** `inexactIntegers` names offending values with the literal the model wrote when `literals` has it. */
export function inexactIntegers(schema: unknown, value: unknown, at = '', literals?: Map<number, string>): string[] {
  const s = branchFor(schema, value) ?? (schema && typeof schema === 'object' ? (schema as Record<string, unknown>) : undefined);
  if (!s) return [];
  if (Array.isArray(value)) return value.flatMap((item, i) => inexactIntegers(s['items'], item, `${at}/${i}`, literals));
  if (value && typeof value === 'object') {
    const props = (s['properties'] ?? {}) as Record<string, unknown>;
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => (k in props ? inexactIntegers(props[k], v, `${at}/${escapePointer(k)}`, literals) : []));
  }
  if (typeof value !== 'number') return [];
  const t = s['type'];
  const isInt = t === 'integer' || (Array.isArray(t) && t.includes('integer')) || (Array.isArray(s['anyOf']) && (s['anyOf'] as Array<Record<string, unknown>>).some((b) => b['type'] === 'integer'));
  if (isInt && !Number.isSafeInteger(value)) return [`${at || '(root)'}: must be an integer between -9007199254740991 and 9007199254740991 (exactly representable); got ${literals?.get(value) ?? value}`];
  return [];
}

/** One JSON-pointer reference token (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
