// What the spec declared about each column, read from the row's JSON Schema in the manifest (`row.schema`,
// written by runtime/manifest.ts from the plan's row type): the JSON type, and for enums and string unions the
// values in declared order. Older manifests carry no schema; the report then infers kinds from the values.

export type JsonType = 'integer' | 'number' | 'boolean' | 'string' | 'object' | 'array';

export interface DeclaredColumn {
  type: JsonType | undefined;
  /** enum / union values in the order the spec declares them */
  values?: string[];
}

const TYPES = new Set<string>(['integer', 'number', 'boolean', 'string', 'object', 'array']);

/** Column name → declaration, for an object schema's properties; empty for anything else. Never throws. */
export function declaredColumns(schema: unknown): Map<string, DeclaredColumn> {
  const out = new Map<string, DeclaredColumn>();
  const props = isRecord(schema) && isRecord(schema['properties']) ? schema['properties'] : undefined;
  if (!props) return out;
  for (const [name, s] of Object.entries(props)) out.set(name, declaration(s));
  return out;
}

function declaration(s: unknown): DeclaredColumn {
  if (!isRecord(s)) return { type: undefined };
  // optional fields are `{type: [T, "null"]}` or `{anyOf: [S, {type: "null"}]}`
  if (Array.isArray(s['anyOf'])) {
    const inner = s['anyOf'].filter((a) => !(isRecord(a) && a['type'] === 'null'));
    return inner.length === 1 ? declaration(inner[0]) : { type: undefined };
  }
  const t = Array.isArray(s['type']) ? s['type'].filter((x) => x !== 'null') : [s['type']];
  const type = t.length === 1 && typeof t[0] === 'string' && TYPES.has(t[0]) ? (t[0] as JsonType) : undefined;
  const values = Array.isArray(s['enum']) ? s['enum'].filter((v) => v !== null).map(String) : undefined;
  return values ? { type, values } : { type };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
