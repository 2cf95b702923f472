// Field constraints (`subject: string @len(1..80)`): which field types each applies to, and how the language
// server offers it. One table, so the checker (compiler/check/structs.ts) and completion agree.
import type { Ty } from './types.js';

export interface ConstraintSpec {
  /** Does the constraint apply to a field of (non-optional) type `t`? */
  fits(t: Ty): boolean;
  /** the completion snippet (LSP snippet syntax), after `@` */
  snippet: string;
  doc: string;
}

export const CONSTRAINTS: Readonly<Record<string, ConstraintSpec>> = {
  len: { fits: (t) => t.k === 'string', snippet: 'len(${1:1}..${2:100})', doc: 'string length in characters' },
  range: { fits: (t) => t.k === 'int' || t.k === 'float', snippet: 'range(${1:1}..${2:5})', doc: 'numeric range' },
  pattern: { fits: (t) => t.k === 'string', snippet: 'pattern("${1}")', doc: 'regular expression the string must match' },
  items: { fits: (t) => t.k === 'array', snippet: 'items(${1:0}..${2:5})', doc: 'number of list items' },
  desc: { fits: () => true, snippet: 'desc("${1}")', doc: 'description given to the model (JSON Schema `description`)' },
  example: { fits: () => true, snippet: 'example(${1})', doc: 'an example value' },
  unique: {
    fits: (t) => ['string', 'int', 'float', 'bool', 'enum', 'union'].includes(t.k),
    snippet: 'unique',
    doc: 'no two rows share the value: a dataset drops a repeat as a duplicate, a table refuses it (a key)',
  },
};
