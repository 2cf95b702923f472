// The checker: binds names across the import closure and type-checks every declaration.
// Phase order (each phase sees the results of the previous ones):
//   1. symbols    — every declaration of every file, duplicates reported (symbols.ts)
//   2. types      — struct fields, prompt params/returns resolved to Ty (so later phases can look fields up)
//   3. decls      — goal, structs (constraints), models, prompts (templates), sources, sims (compiler/sim)
//   4. datasets   — clauses in order, each with the scope the earlier clauses built (check-dataset.ts)
// Invariant: checking never throws on any AST the parser produced, including recovered ones.
import type * as A from '../grammar/ast.js';
import { keyName } from '../grammar/ast.js';
import type { Diagnostic } from '../base/diagnostics.js';
import { DatasetChecker } from './check-dataset.js';
import type { CheckSession } from './check-session.js';
import { CheckContext } from './context.js';
import { ExprChecker, type Scope } from './expr-check.js';
import { loadProgram, type Host, type Program } from './program.js';
import { GOAL_SETTINGS, MODEL_SETTINGS, PROMPT_SETTINGS, SOURCE_SETTINGS, type SettingSpec } from './settings.js';
import { checkSim } from './sim/check.js';
import { closest } from './suggest.js';
import { buildSymbols, type SymbolTable } from './symbols.js';
import { PRIMITIVE_TYPES, T, show, typeRefText, type Ty } from './types.js';

export interface CheckResult {
  program: Program;
  symbols: SymbolTable;
  ctx: CheckContext;
  diagnostics: Diagnostic[];
  hasErrors: boolean;
}

export function checkFile(entry: string, host?: Host, entryText?: string): CheckResult {
  return checkProgram(loadProgram(entry, host, entryText));
}

export interface CheckOptions {
  /** Check incrementally: replay the results of declarations unaffected since the session's last check
   *  (check-session.ts). Worth it where the same program is checked again and again after small edits (the
   *  language server); pure overhead for one-shot runs. */
  session?: CheckSession;
}

export function checkProgram(program: Program, options: CheckOptions = {}): CheckResult {
  const pre: Diagnostic[] = [];
  const symbols = options.session ? options.session.begin(program, pre) : buildSymbols(program, pre);
  const ctx = new CheckContext(program, symbols, options.session?.tables);
  ctx.diagnostics.push(...program.diagnostics, ...pre);
  const checker = new Checker(ctx, options.session);
  checker.run();
  const diagnostics = dedupe(ctx.diagnostics);
  return { program, symbols, ctx, diagnostics, hasErrors: diagnostics.some((d) => d.severity === 'error') };
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of ds) {
    const k = `${d.file}:${d.span.start}:${d.code}:${d.message}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out.sort((a, b) => (a.file === b.file ? a.span.start - b.span.start : a.file < b.file ? -1 : 1));
}

/** A constant number, folding simple arithmetic; undefined when the expression is not constant. */
export function constNumber(e: A.Expr): number | undefined {
  switch (e.kind) {
    case 'Number':
      return e.value;
    case 'Unary':
      if (e.op === '-') {
        const v = constNumber(e.operand);
        return v === undefined ? undefined : -v;
      }
      return undefined;
    case 'Binary': {
      const l = constNumber(e.left);
      const r = constNumber(e.right);
      if (l === undefined || r === undefined) return undefined;
      switch (e.op) {
        case '+':
          return l + r;
        case '-':
          return l - r;
        case '*':
          return l * r;
        case '/':
          return r === 0 ? undefined : l / r;
      }
      return undefined;
    }
  }
  return undefined;
}

export function isEnvCall(e: A.Expr): e is A.CallExpr {
  return e.kind === 'Call' && e.callee.name === 'env';
}

class Checker {
  readonly exprs: ExprChecker;

  constructor(
    readonly ctx: CheckContext,
    readonly session: CheckSession | undefined,
  ) {
    this.exprs = new ExprChecker(ctx);
  }

  run(): void {
    const files = this.ctx.program.order.map((p) => this.ctx.program.files.get(p)!);
    const session = this.session;
    // Phase 2: types of declarations other phases look up. Phase 3 and 4: each declaration. With a session, a
    // declaration unaffected since the last check is replayed instead (check-session.ts).
    for (const part of ['types', 'body'] as const) {
      for (const f of files) {
        this.ctx.file = f.path;
        for (const d of f.ast.decls) {
          if (!session) this.checkPart(d, part);
          else if (!session.replay(d, f.path, part, this.ctx.diagnostics)) this.recordPart(session, d, part);
        }
      }
    }
    session?.end();
  }

  private checkPart(d: A.Decl, part: 'types' | 'body'): void {
    if (part === 'types') this.declTypes(d);
    else this.decl(d);
  }

  // A method of its own: a closure in the loop above would make every iteration allocate a context for `d`.
  private recordPart(session: CheckSession, d: A.Decl, part: 'types' | 'body'): void {
    session.record(d, part, this.ctx.diagnostics, () => this.checkPart(d, part));
  }

  /** Phase 2 for one declaration: the types it declares. */
  private declTypes(d: A.Decl): void {
    if (d.kind === 'Struct') for (const fd of d.fields) this.resolveType(fd.type);
    if (d.kind === 'Prompt') {
      for (const p of d.params) this.resolveType(p.type);
      if (d.returnType) this.resolveType(d.returnType);
    }
    if (d.kind === 'Dataset' && d.rowType) this.resolveType(d.rowType);
  }

  // ------------------------------------------------------------------ types
  resolveType(t: A.TypeRef, allowSim = false): Ty {
    const ty = this.resolveTypeInner(t, allowSim);
    this.ctx.typeRefs.set(t, ty);
    return ty;
  }

  private resolveTypeInner(t: A.TypeRef, allowSim: boolean): Ty {
    switch (t.kind) {
      case 'ArrayType':
        return { k: 'array', elem: this.resolveType(t.element, allowSim) };
      case 'OptionalType':
        return { k: 'optional', inner: this.resolveType(t.inner, allowSim) };
      case 'UnionType':
        return { k: 'union', members: t.members.map((m) => m.value) };
      case 'NamedType': {
        const n = t.name.name;
        if (!n) return T.unknown;
        if (PRIMITIVE_TYPES.has(n)) return { k: n } as Ty;
        const sym = this.ctx.symbols.get(n);
        if (sym && (sym.decl.kind === 'Struct' || sym.decl.kind === 'Enum')) {
          this.ctx.refer(t.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: n });
          return sym.decl.kind === 'Struct' ? { k: 'struct', name: n } : { k: 'enum', name: n };
        }
        const pool = [...PRIMITIVE_TYPES, ...this.ctx.symbols.names(['Struct', 'Enum'])];
        const hint = closest(n, pool);
        this.ctx.report(
          'SYN1001',
          t.name.span,
          { what: 'type', name: n, hint: hint ? ` — did you mean '${hint}'?` : sym ? ` (it is a ${sym.decl.kind.toLowerCase()}, not a type)` : '' },
          { fix: hint ? this.ctx.replaceFix(`Change to '${hint}'`, t.name.span, hint) : undefined, data: { name: n, suggestion: hint } },
        );
        return T.unknown;
      }
    }
  }

  // ------------------------------------------------------------------ declarations
  private decl(d: A.Decl): void {
    switch (d.kind) {
      case 'Goal':
        this.settings(d.settings, GOAL_SETTINGS, 'goal');
        return;
      case 'Enum':
        if (d.cases.length === 0) this.ctx.report('SYN3007', d.name.span, { detail: `enum ${d.name.name} has no cases` });
        return;
      case 'Struct':
        return this.struct(d);
      case 'Model':
        return this.model(d);
      case 'Prompt':
        return this.prompt(d);
      case 'Source':
        return this.source(d);
      case 'Sim':
        this.ctx.diagnostics.push(...checkSim(d, this.ctx.file));
        return;
      case 'Dataset':
        new DatasetChecker(this.ctx, this.exprs, this).check(d);
        return;
    }
  }

  private struct(d: A.StructDecl): void {
    const seen = new Map<string, A.FieldDecl>();
    for (const f of d.fields) {
      const prev = seen.get(f.name.name);
      if (prev && f.name.name) {
        this.ctx.report('SYN1002', f.name.span, { name: f.name.name, where: ` in struct ${d.name.name}` }, {
          related: [{ file: this.ctx.file, span: prev.name.span, message: 'first declared here' }],
        });
      }
      seen.set(f.name.name, f);
      const ty = this.ctx.typeRefs.get(f.type) ?? T.unknown;
      for (const c of f.constraints) this.constraint(c, ty);
    }
  }

  private constraint(c: A.Constraint, ty: Ty): void {
    const base = ty.k === 'optional' ? ty.inner : ty;
    const name = c.name.name;
    const fits: Record<string, (t: Ty) => boolean> = {
      len: (t) => t.k === 'string',
      range: (t) => t.k === 'int' || t.k === 'float',
      pattern: (t) => t.k === 'string',
      items: (t) => t.k === 'array',
      desc: () => true,
      example: () => true,
    };
    const test = fits[name];
    if (!test) {
      const hint = closest(name, Object.keys(fits));
      this.ctx.report('SYN1001', c.name.span, { what: 'constraint', name: '@' + name, hint: hint ? ` — did you mean '@${hint}'?` : '' });
      return;
    }
    if (base.k !== 'unknown' && !test(base)) {
      this.ctx.report('SYN2004', c.span, { constraint: name, type: show(ty) });
      return;
    }
    const arg = c.args[0];
    const bad = (detail: string) => this.ctx.report('SYN2007', arg?.span ?? c.span, { detail });
    if (name === 'len' || name === 'range' || name === 'items') {
      if (c.args.length !== 1 || arg?.kind !== 'Range') return bad(`@${name} takes one range, e.g. @${name}(1..10)`);
      const lo = constNumber(arg.low);
      const hi = constNumber(arg.high);
      if (lo === undefined || hi === undefined) return bad(`@${name} bounds must be constant numbers`);
      if (lo > hi) return bad(`@${name}: low bound ${lo} is above high bound ${hi}`);
      if (name !== 'range' && (lo < 0 || !Number.isInteger(lo) || !Number.isInteger(hi))) return bad(`@${name} bounds must be non-negative integers`);
      if (name === 'range' && base.k === 'int' && (!Number.isInteger(lo) || !Number.isInteger(hi))) return bad('@range of an int needs integer bounds');
    } else if (name === 'pattern' || name === 'desc') {
      if (c.args.length !== 1 || arg?.kind !== 'String') return bad(`@${name} takes one string`);
      if (name === 'pattern') {
        try {
          new RegExp(arg.value, 'u');
        } catch (err) {
          return bad(`@pattern is not a valid regular expression: ${(err as Error).message}`);
        }
      }
    }
  }

  /** Checks `key value` settings against a block's table; returns the settings by key. */
  settings(settings: A.Setting[], table: Record<string, SettingSpec>, block: string, blockSpan?: A.Span): Map<string, A.Setting> {
    const byKey = new Map<string, A.Setting>();
    for (const s of settings) {
      const key = s.key.name;
      if (!key) continue;
      const spec = table[key];
      if (!spec) {
        const hint = closest(key, Object.keys(table));
        this.ctx.report(
          'SYN1004',
          s.key.span,
          { key, block, hint: hint ? ` — did you mean '${hint}'?` : '' },
          { fix: hint ? this.ctx.replaceFix(`Change to '${hint}'`, s.key.span, hint) : undefined, data: { suggestion: hint } },
        );
        continue;
      }
      if (byKey.has(key)) {
        this.ctx.report('SYN1002', s.key.span, { name: key, where: ` in ${block}` });
        continue;
      }
      byKey.set(key, s);
      this.settingValue(s, spec, block);
    }
    if (blockSpan) {
      for (const [key, spec] of Object.entries(table)) {
        if (spec.required && !byKey.has(key)) this.ctx.report('SYN1005', blockSpan, { block, key });
      }
    }
    return byKey;
  }

  private settingValue(s: A.Setting, spec: SettingSpec, block: string): void {
    const v = s.value;
    if (v.kind === 'Missing') return;
    const key = s.key.name;
    const mismatch = (want: string) => this.ctx.report('SYN2001', v.span, { detail: `\`${key}\` in ${block} takes ${want}` });
    if (isEnvCall(v)) {
      if (!spec.env) {
        this.ctx.report('SYN4001', v.span, { what: `\`${key}\`, which must be known when the plan is built` });
        return;
      }
      const [name, def] = v.args;
      if (!name || name.kind !== 'String' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name.value) || v.args.length > 2 || (def && def.kind !== 'String')) {
        this.ctx.report('SYN2001', v.span, { detail: 'env takes a variable name and an optional default: env("NAME", "default")' });
      }
      return;
    }
    if (key === 'api_key' && block.startsWith('model')) {
      this.ctx.report('SYN4003', v.span, { what: 'the API key' }, { fix: this.ctx.replaceFix('Read the key from OPENAI_API_KEY', v.span, 'env("OPENAI_API_KEY")') });
      return;
    }
    const range = (x: number) => {
      if ((spec.min !== undefined && x < spec.min) || (spec.max !== undefined && x > spec.max)) {
        this.ctx.report('SYN3007', v.span, { detail: `\`${key}\` must be between ${spec.min ?? '-∞'} and ${spec.max ?? '∞'}, got ${x}` });
      }
    };
    switch (spec.kind) {
      case 'int': {
        const n = constNumber(v);
        if (n === undefined || !Number.isInteger(n) || (v.kind === 'Number' && v.isFloat)) return mismatch('a constant integer');
        return range(n);
      }
      case 'number': {
        const n = constNumber(v);
        if (n === undefined) return mismatch('a constant number');
        return range(n);
      }
      case 'string':
        if (v.kind !== 'String') mismatch('a string');
        return;
      case 'duration':
        if (v.kind !== 'Duration' || !Number.isFinite(v.ms)) mismatch('a duration such as `60s` or `500ms`');
        return;
      case 'template':
        if (v.kind !== 'Template') mismatch('a string template');
        return;
      case 'ident':
        if (v.kind !== 'Name' || !spec.values!.includes(v.name.name)) mismatch(`one of ${spec.values!.join(', ')}`);
        return;
      case 'modelRef': {
        if (v.kind !== 'Name') return mismatch('the name of a model block');
        const sym = this.ctx.symbols.get(v.name.name);
        if (!sym || sym.decl.kind !== 'Model') {
          const hint = closest(v.name.name, this.ctx.symbols.names(['Model']));
          this.ctx.report(
            'SYN1001',
            v.name.span,
            { what: 'model', name: v.name.name, hint: hint ? ` — did you mean '${hint}'?` : '' },
            { fix: hint ? this.ctx.replaceFix(`Change to '${hint}'`, v.name.span, hint) : undefined, data: { suggestion: hint } },
          );
          return;
        }
        this.ctx.refer(v.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
        return;
      }
      case 'split':
        return this.fractions(v, `\`${key}\``, true);
      case 'price': {
        if (v.kind !== 'Record') return mismatch('a record such as `{ input: 0.15, output: 0.60 }`');
        for (const en of v.entries) {
          const k = keyName(en.key);
          if (!['input', 'output', 'image', 'batch_discount'].includes(k)) {
            this.ctx.report('SYN2005', en.key.span, { type: 'price', name: k, hint: ' (price has input, output, image, batch_discount)' });
          }
          const n = constNumber(en.value);
          if (n === undefined || n < 0) this.ctx.report('SYN2001', en.value.span, { detail: 'a price must be a non-negative number' });
        }
        return;
      }
    }
  }

  /** `{ a: 0.6, b: 0.4 }` with constant non-negative numbers summing to 1. */
  fractions(v: A.Expr, what: string, requireRecord: boolean): void {
    if (v.kind !== 'Record') {
      if (requireRecord) this.ctx.report('SYN2001', v.span, { detail: `${what} takes a record such as \`{ train: 0.9, test: 0.1 }\`` });
      return;
    }
    let sum = 0;
    let ok = true;
    const seen = new Set<string>();
    for (const en of v.entries) {
      const k = keyName(en.key);
      if (seen.has(k)) this.ctx.report('SYN1002', en.key.span, { name: k, where: ` in ${what}` });
      seen.add(k);
      const n = constNumber(en.value);
      if (n === undefined || n < 0) {
        this.ctx.report('SYN2001', en.value.span, { detail: `${what}: each fraction must be a constant non-negative number` });
        ok = false;
      } else sum += n;
    }
    if (ok && v.entries.length > 0 && Math.abs(sum - 1) > 1e-6) {
      const rounded = Math.round(sum * 1e6) / 1e6;
      // Quick fix: scale every fraction so they sum to 1.
      const fixText = `{ ${v.entries.map((en) => `${keyName(en.key)}: ${+(constNumber(en.value)! / sum).toFixed(4)}`).join(', ')} }`;
      this.ctx.report('SYN3001', v.span, { what: `${what} fractions`, sum: rounded }, {
        fix: this.ctx.replaceFix('Scale the fractions to sum to 1', v.span, fixText),
      });
    }
  }

  private model(d: A.ModelDecl): void {
    this.settings(d.settings, MODEL_SETTINGS, `model ${d.name.name}`, d.name.span);
  }

  private prompt(d: A.PromptDecl): void {
    const seen = new Set<string>();
    const vars = new Map<string, { type: Ty; resolution: import('./tables.js').Resolution }>();
    for (const p of d.params) {
      if (seen.has(p.name.name)) this.ctx.report('SYN1002', p.name.span, { name: p.name.name, where: ` in the parameters of ${d.name.name}` });
      seen.add(p.name.name);
      const type = this.ctx.typeRefs.get(p.type) ?? T.unknown;
      vars.set(p.name.name, { type, resolution: { file: this.ctx.file, span: p.name.span, kind: 'param', type } });
    }
    const byKey = this.settings(d.settings, PROMPT_SETTINGS, `prompt ${d.name.name}`, d.name.span);
    const scope: Scope = { vars, templateOf: d.name.name };
    for (const s of d.settings) {
      if (s.value.kind === 'Template') this.exprs.check(s.value, scope);
    }
    const ret = d.returnType ? this.ctx.typeRefs.get(d.returnType) : undefined;
    if (ret?.k === 'image') {
      // The images API takes one text prompt: the `user` template. Size defaults to the endpoint's.
      for (const k of ['system', 'assistant']) {
        const s = byKey.get(k);
        if (s) this.ctx.report('SYN3003', s.key.span, { detail: `an image prompt sends one text prompt (\`user\`); \`${k}\` has no place in it` });
      }
      const size = byKey.get('size')?.value;
      if (size?.kind === 'String' && !/^(\d{2,5}x\d{2,5}|auto)$/.test(size.value)) {
        this.ctx.report('SYN3007', size.span, { detail: `image size "${size.value}" is not WIDTHxHEIGHT (e.g. "512x512") or "auto"` });
      }
    } else {
      for (const k of ['size', 'images']) {
        const s = byKey.get(k);
        if (s) this.ctx.report('SYN3003', s.key.span, { detail: `\`${k}\` applies only to prompts that return \`image\`` });
      }
      if (ret && d.returnType && containsImage(ret, this.ctx)) {
        this.ctx.report('SYN2001', d.returnType.span, { detail: 'a chat prompt cannot return images; a prompt that draws one returns `image` (`-> image`)' });
      }
    }
  }

  private source(d: A.SourceDecl): void {
    const init = d.init;
    if (init.kind !== 'Call' || init.callee.name !== 'files' || init.args.length !== 1 || init.args[0]!.kind !== 'String') {
      if (init.kind !== 'Missing') this.ctx.report('SYN2001', init.span, { detail: 'a source is `files("glob")`, e.g. files("docs/**/*.md")' });
    }
    const byKey = this.settings(d.settings, SOURCE_SETTINGS, `source ${d.name.name}`);
    const chunk = byKey.get('chunk');
    const overlap = byKey.get('overlap');
    if (chunk && overlap) {
      const c = constNumber(chunk.value);
      const o = constNumber(overlap.value);
      if (c !== undefined && o !== undefined && o >= c) {
        this.ctx.report('SYN3007', overlap.value.span, { detail: `overlap (${o}) must be smaller than chunk (${c})` });
      }
    }
  }
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

export type { Checker };
