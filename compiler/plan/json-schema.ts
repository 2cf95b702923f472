// Synth types → JSON Schema, used for structured output (`response_format: json_schema`) and for validating
// every LLM response locally. Schemas follow OpenAI's strict-mode rules: every property is required and
// optional fields are `[T, null]`; `additionalProperties: false` everywhere.
import type * as A from '../../grammar/ast.js';
import { setOwn } from '../../base/own.js';
import { constNumber } from '../check/const-eval.js';
import type { CheckContext } from '../check/context.js';
import type { Ty } from '../types.js';

type Schema = Record<string, unknown>;

/**
 * The JSON Schema (OpenAI strict mode) of type `ty`: structs by their fields and constraints (`@len`, `@range`,
 * `@pattern`, `@items`, `@desc`), enums and unions as `enum`, optionals as `[T, null]`. `visiting` stops recursion
 * through a struct that contains itself.
 */
export function jsonSchemaOf(ty: Ty, ctx: CheckContext, visiting: Set<string> = new Set()): Schema {
  switch (ty.k) {
    case 'string':
      return { type: 'string' };
    case 'int':
      return { type: 'integer' };
    case 'float':
      return { type: 'number' };
    case 'bool':
      return { type: 'boolean' };
    case 'date':
      // ISO 8601 calendar day: models answer in it, rows are written in it (Parquet: DATE)
      return { type: 'string', format: 'date' };
    case 'datetime':
      // ISO 8601 with a time zone (RFC 3339): models answer in it, rows are written in it (Parquet: TIMESTAMP)
      return { type: 'string', format: 'date-time' };
    case 'image':
      // In a written row an image is its file's path, relative to the output file (see docs/runtime.md).
      return { type: 'string', description: 'image file, relative to the output file' };
    case 'union':
      return { type: 'string', enum: [...ty.members] };
    case 'enum': {
      const d = ctx.symbols.get(ty.name)?.decl;
      return { type: 'string', enum: d?.kind === 'Enum' ? d.cases.map((c) => c.name) : [] };
    }
    case 'array':
      return { type: 'array', items: jsonSchemaOf(ty.elem, ctx, visiting) };
    case 'optional': {
      const inner = jsonSchemaOf(ty.inner, ctx, visiting);
      return typeof inner['type'] === 'string' ? { ...inner, type: [inner['type'], 'null'] } : { anyOf: [inner, { type: 'null' }] };
    }
    case 'record': {
      const properties: Record<string, Schema> = {};
      for (const [k, v] of ty.fields) setOwn(properties, k, jsonSchemaOf(v, ctx, visiting));
      return { type: 'object', properties, required: [...ty.fields.keys()], additionalProperties: false };
    }
    case 'struct': {
      const sym = ctx.symbols.get(ty.name);
      if (!sym || sym.decl.kind !== 'Struct' || visiting.has(ty.name)) return { type: 'object' };
      visiting.add(ty.name);
      const properties: Record<string, Schema> = {};
      for (const f of sym.decl.fields) {
        const fty = ctx.typeRefs.get(f.type) ?? { k: 'unknown' };
        setOwn(properties, f.name.name, withConstraints(jsonSchemaOf(fty, ctx, visiting), f.constraints));
      }
      visiting.delete(ty.name);
      return { type: 'object', properties, required: sym.decl.fields.map((f) => f.name.name), additionalProperties: false };
    }
    default:
      return {};
  }
}

function withConstraints(s: Schema, cs: A.Constraint[]): Schema {
  const out = { ...s };
  const target = out['type'] === 'array' || (Array.isArray(out['type']) && (out['type'] as string[])[0] === 'array') ? out : out;
  for (const c of cs) {
    const a = c.args[0];
    const bounds = a?.kind === 'Range' ? [constNumber(a.low), constNumber(a.high)] : [];
    switch (c.name.name) {
      case 'len':
        target['minLength'] = bounds[0];
        target['maxLength'] = bounds[1];
        break;
      case 'range':
        target['minimum'] = bounds[0];
        target['maximum'] = bounds[1];
        break;
      case 'items':
        target['minItems'] = bounds[0];
        target['maxItems'] = bounds[1];
        break;
      case 'pattern':
        if (a?.kind === 'String') target['pattern'] = a.value;
        break;
      case 'desc':
        if (a?.kind === 'String') target['description'] = a.value;
        break;
    }
  }
  return out;
}
