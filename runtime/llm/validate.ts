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
