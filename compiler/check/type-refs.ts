// Type references (`subject: string`, `-> Ticket`, `tags: Tier[]`) resolved to checker types, before any
// declaration body is checked (phase 2), so struct fields and prompt returns can be looked up in any order.
import type * as A from '../../grammar/ast.js';
import { declKindWord, withArticle } from '../symbols.js';
import { PRIMITIVE_TYPES, T, type Ty } from '../types.js';
import type { CheckContext } from './context.js';

/**
 * The type `t` denotes, recorded in `ctx.typeRefs` for it and each of its parts. An unknown name is SYN1001 (with
 * a "did you mean" among primitives, structs and enums), a declaration that is not a type SYN1011; both give
 * `unknown`, so the mistake is reported once.
 */
export function resolveType(ctx: CheckContext, t: A.TypeRef): Ty {
  const ty = resolveInner(ctx, t);
  ctx.typeRefs.set(t, ty);
  return ty;
}

function resolveInner(ctx: CheckContext, t: A.TypeRef): Ty {
  switch (t.kind) {
    case 'ArrayType':
      return { k: 'array', elem: resolveType(ctx, t.element) };
    case 'OptionalType':
      return { k: 'optional', inner: resolveType(ctx, t.inner) };
    case 'UnionType':
      return { k: 'union', members: t.members.map((m) => m.value) };
    case 'NamedType': {
      const n = t.name.name;
      if (!n) return T.unknown;
      if (PRIMITIVE_TYPES.has(n)) return { k: n } as Ty;
      const sym = ctx.symbols.get(n);
      if (sym && (sym.decl.kind === 'Struct' || sym.decl.kind === 'Enum')) {
        ctx.refer(t.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: n });
        return sym.decl.kind === 'Struct' ? { k: 'struct', name: n } : { k: 'enum', name: n };
      }
      const s = ctx.suggest(t.name.span, n, PRIMITIVE_TYPES, ctx.symbols.namePool(['Struct', 'Enum']));
      if (sym && !s.suggestion) ctx.report('SYN1011', t.name.span, { name: n, kind: withArticle(declKindWord(sym.decl)) });
      else ctx.report('SYN1001', t.name.span, { what: 'type', name: n }, { ...s, data: { name: n } });
      return T.unknown;
    }
  }
}

/** Phase 2 of a struct: its fields' types. */
export function structTypes(d: A.StructDecl, ctx: CheckContext): void {
  for (const fd of d.fields) resolveType(ctx, fd.type);
}

/** Phase 2 of a prompt: its parameters' and return types. */
export function promptTypes(d: A.PromptDecl, ctx: CheckContext): void {
  for (const p of d.params) resolveType(ctx, p.type);
  if (d.returnType) resolveType(ctx, d.returnType);
}

/** Phase 2 of a source: a table's row type (`source people: Person = table(…)`). */
export function sourceTypes(d: A.SourceDecl, ctx: CheckContext): void {
  if (d.rowType) resolveType(ctx, d.rowType);
}

/** Phase 2 of a dataset: its row type (`dataset d: Ticket`). */
export function datasetTypes(d: A.DatasetDecl, ctx: CheckContext): void {
  if (d.rowType) resolveType(ctx, d.rowType);
}

/** Does `t` hold an image anywhere (fields, lists, optionals)? Structs are followed once. */
export function containsImage(t: Ty, ctx: CheckContext, seen: Set<string> = new Set()): boolean {
  switch (t.k) {
    case 'image':
      return true;
    case 'array':
      return containsImage(t.elem, ctx, seen);
    case 'optional':
      return containsImage(t.inner, ctx, seen);
    case 'record':
      return [...t.fields.values()].some((f) => containsImage(f, ctx, seen));
    case 'struct': {
      if (seen.has(t.name)) return false;
      seen.add(t.name);
      const d = ctx.symbols.get(t.name)?.decl;
      return d?.kind === 'Struct' && d.fields.some((f) => containsImage(ctx.typeRefs.get(f.type) ?? T.unknown, ctx, seen));
    }
    default:
      return false;
  }
}
