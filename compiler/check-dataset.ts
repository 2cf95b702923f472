// Checking a `dataset` block: clauses are checked in source order, each adding names to the scope that later
// clauses see (`vary` and `let` variables, the `for` binder, then `row` once the row clause has run).
import type * as A from '../grammar/ast.js';
import { keyName } from '../grammar/ast.js';
import { SAMPLERS } from './builtins.js';
import type { Checker } from './check.js';
import { constNumber, containsImage } from './check.js';
import type { CheckContext } from './context.js';
import type { Resolution } from './tables.js';
import type { ExprChecker, Scope, ScopeVar } from './expr-check.js';
import { DATASET_SETTINGS } from './settings.js';
import { closest } from './suggest.js';
import { T, assignable, fromSimType, isNumeric, show, type Ty } from './types.js';

export const OUTPUT_FORMATS = ['.jsonl', '.csv', '.parquet'];

/** The element type of `for x in ITERABLE`: sim events, sim trajectories or document chunks. */
export function iterableElement(ctx: CheckContext, e: A.Expr): { type: Ty; kind: 'event' | 'trajectory' | 'source'; decl: string; event?: string } | string {
  if (e.kind === 'Name') {
    const sym = ctx.symbols.get(e.name.name);
    if (sym?.decl.kind === 'Source') {
      ctx.refer(e.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
      return { type: CHUNK_TYPE, kind: 'source', decl: sym.name };
    }
    if (sym?.decl.kind === 'Sim') return `iterate over a simulation's events (${sym.name}.EVENT) or its trajectory (${sym.name}.trajectory)`;
    return `'${e.name.name}' is not a source or simulation output`;
  }
  if (e.kind === 'Member' && e.object.kind === 'Name') {
    const sym = ctx.symbols.get(e.object.name.name);
    if (sym?.decl.kind === 'Sim') {
      const sim = sym.decl;
      ctx.refer(e.object.name, { file: sym.file, span: sim.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
      const m = e.member.name;
      if (m === 'trajectory') {
        const fields = new Map<string, Ty>([['world', T.int], ['agent', T.int], ['step', T.int]]);
        for (const o of sim.observes) {
          for (const f of o.fields) {
            const st = sim.states.find((s) => s.name.name === f.name);
            fields.set(f.name, st && st.type.kind === 'NamedType' ? fromSimType(st.type.name.name) : T.unknown);
          }
        }
        return { type: { k: 'record', name: `${sim.name.name}.trajectory`, fields }, kind: 'trajectory', decl: sim.name.name };
      }
      const ev = sim.events.find((x) => x.name.name === m);
      if (!ev) {
        const names = [...sim.events.map((x) => x.name.name), 'trajectory'];
        const hint = closest(m, names);
        return `simulation ${sim.name.name} has no event '${m}'${hint ? ` — did you mean '${hint}'?` : ` (it has: ${names.join(', ')})`}`;
      }
      ctx.refer(e.member, { file: sym.file, span: ev.name.span, kind: 'decl', type: T.unknown, declName: sim.name.name });
      const fields = new Map<string, Ty>([['world', T.int], ['agent', T.int], ['step', T.int]]);
      for (const f of ev.fields) fields.set(f.name.name, f.type.kind === 'NamedType' ? fromSimType(f.type.name.name) : T.unknown);
      return { type: { k: 'record', name: `${sim.name.name}.${m}`, fields }, kind: 'event', decl: sim.name.name, event: m };
    }
  }
  return 'a dataset iterates over `for x in SOURCE`, `for e in SIM.EVENT` or `for r in SIM.trajectory`';
}

export const CHUNK_TYPE: Ty = {
  k: 'record',
  name: 'Chunk',
  fields: new Map<string, Ty>([
    ['text', T.string],
    ['path', T.string],
    ['index', T.int],
    ['tokens', T.int],
  ]),
};

export class DatasetChecker {
  private readonly vars = new Map<string, ScopeVar>();

  constructor(
    readonly ctx: CheckContext,
    readonly exprs: ExprChecker,
    readonly checker: Checker,
  ) {}

  private scope(extra: Partial<Scope> = {}): Scope {
    return { vars: this.vars, ...extra };
  }

  private declare(id: A.Ident, type: Ty, kind: Resolution['kind']): void {
    if (!id.name) return;
    if (this.vars.has(id.name)) {
      const prev = this.vars.get(id.name)!;
      this.ctx.report('SYN1002', id.span, { name: id.name, where: ' in this dataset' }, {
        related: [{ file: this.ctx.file, span: prev.resolution.span, message: 'first declared here' }],
      });
      return;
    }
    const resolution: Resolution = { file: this.ctx.file, span: id.span, kind, type };
    this.ctx.refer(id, resolution);
    this.vars.set(id.name, { type, resolution });
  }

  check(d: A.DatasetDecl): void {
    const rowType = d.rowType ? (this.ctx.typeRefs.get(d.rowType) ?? T.unknown) : undefined;
    if (d.rowType && rowType) this.imageFields(d.rowType, rowType);
    let hasRows = false;
    let hasRow = false;
    const settings: A.Setting[] = [];
    for (const c of d.clauses) {
      switch (c.kind) {
        case 'Count': {
          hasRows = true;
          if (c.value.kind === 'Call' && c.value.callee.name === 'env') {
            this.ctx.report('SYN4001', c.value.span, { what: '`count`, which must be known when the plan is built' });
            break;
          }
          const n = constNumber(c.value);
          if (n === undefined || !Number.isInteger(n) || n < 1) {
            this.ctx.report('SYN2001', c.value.span, { detail: '`count` takes a positive constant integer' });
          }
          break;
        }
        case 'For': {
          hasRows = true;
          const el = iterableElement(this.ctx, c.iterable);
          if (typeof el === 'string') {
            this.ctx.report(c.iterable.kind === 'Name' && !this.ctx.symbols.get(c.iterable.name.name) ? 'SYN1001' : 'SYN2001', c.iterable.span, c.iterable.kind === 'Name' && !this.ctx.symbols.get(c.iterable.name.name) ? { what: 'source or simulation', name: c.iterable.name.name, hint: this.hint(c.iterable.name.name, ['Source', 'Sim']) } : { detail: el });
            this.declare(c.binder, T.unknown, 'for');
          } else this.declare(c.binder, el.type, 'for');
          if (c.each) {
            const n = constNumber(c.each);
            if (n === undefined || !Number.isInteger(n) || n < 1) this.ctx.report('SYN2001', c.each.span, { detail: '`each` takes a positive constant integer' });
          }
          break;
        }
        case 'Vary':
          if (c.mode === 'grid') hasRows = true; // a grid alone enumerates its combinations
          this.declare(c.name, this.vary(c), 'vary');
          break;
        case 'LetClause': {
          const t = this.exprs.check(c.value, this.scope({ promptCalls: true }));
          this.declare(c.name, t, 'let');
          break;
        }
        case 'Row': {
          hasRow = true;
          const t = this.row(c.value, rowType);
          const type = rowType ?? t;
          this.vars.set('row', { type, resolution: { file: this.ctx.file, span: c.span, kind: 'row', type } });
          break;
        }
        case 'Check':
          this.exprs.expect(c.expr, this.scope(), T.bool, 'a `check`');
          break;
        case 'Keep':
          for (const n of c.names) {
            const v = this.vars.get(n.name);
            if (!v) {
              this.ctx.report('SYN1001', n.span, { what: 'variable', name: n.name, hint: this.varHint(n.name) });
            } else if (v.resolution.kind === 'row') {
              this.ctx.report('SYN3003', n.span, { detail: '`row` is always written; keep names extra columns' });
            } else this.ctx.refer(n, v.resolution);
          }
          break;
        case 'Unique': {
          this.exprs.check(c.expr, this.scope());
          if (c.similarity) {
            const s = constNumber(c.similarity);
            if (s === undefined || s <= 0 || s > 1) this.ctx.report('SYN3007', c.similarity.span, { detail: '`similarity` is a Jaccard threshold in (0, 1], e.g. 0.85' });
          }
          break;
        }
        case 'Judge': {
          const t = this.exprs.check(c.call, this.scope({ promptCalls: true }));
          if (c.call.kind !== 'Call' || this.ctx.symbols.get(c.call.callee.name)?.decl.kind !== 'Prompt') {
            this.ctx.report('SYN2001', c.call.span, { detail: '`judge` calls a prompt that returns a score: `judge name = rate(row) >= 4`' });
          }
          const score = this.scoreType(t);
          if (!score) this.ctx.report('SYN2001', c.call.span, { detail: `a judge prompt must return int, float, or a struct with a numeric \`score\` field; found ${show(t)}` });
          if (c.threshold) this.exprs.expect(c.threshold, this.scope(), T.float, 'a judge threshold');
          this.declare(c.name, T.float, 'judge');
          break;
        }
        case 'Expect': {
          this.exprs.expect(c.expr, this.scope({ aggregates: true }), T.bool, 'an `expect`');
          break;
        }
        case 'Output': {
          const p = c.path.value;
          if (!OUTPUT_FORMATS.some((ext) => p.endsWith(ext))) {
            this.ctx.report('SYN3007', c.path.span, { detail: `output must end in ${OUTPUT_FORMATS.join(', ')}` });
          }
          break;
        }
        case 'Format': {
          if (c.style.name !== 'chat') {
            this.ctx.report('SYN1001', c.style.span, { what: 'format', name: c.style.name, hint: ' (supported: chat)' });
          }
          for (const en of c.fields.entries) {
            const k = keyName(en.key);
            if (!['system', 'user', 'assistant'].includes(k)) {
              this.ctx.report('SYN2005', en.key.span, { type: 'format chat', name: k, hint: ' (it has system, user, assistant)' });
            }
            this.exprs.expect(en.value, this.scope(), T.string, `\`${k}\``);
          }
          break;
        }
        case 'SettingClause':
          settings.push(c.setting);
          break;
      }
    }
    const byKey = this.checker.settings(settings, DATASET_SETTINGS, `dataset ${d.name.name}`);
    void byKey;
    if (!hasRows) this.ctx.report('SYN3004', d.name.span, { name: d.name.name });
    if (!hasRow) this.ctx.report('SYN3005', d.name.span, { name: d.name.name });
    if (!d.clauses.some((c) => c.kind === 'Output')) this.ctx.report('SYN3009', d.name.span, { name: d.name.name });
  }

  private scoreType(t: Ty): boolean {
    if (t.k === 'unknown' || t.k === 'int' || t.k === 'float') return true;
    const fields = this.exprs.fieldsOf(t);
    const s = fields?.get('score');
    return !!s && isNumeric(s);
  }

  private hint(name: string, kinds: Array<'Source' | 'Sim' | 'Prompt'>): string {
    const h = closest(name, this.ctx.symbols.names(kinds));
    return h ? ` — did you mean '${h}'?` : '';
  }

  private varHint(name: string): string {
    const h = closest(name, this.vars.keys());
    return h ? ` — did you mean '${h}'?` : '';
  }

  /** `row = prompt(...)` or `row = { ... }` checked against the dataset's row type. */
  /** Images become one output line per image (and a file each), so they may only be top-level row fields. */
  private imageFields(ref: A.TypeRef, rowType: Ty): void {
    if (rowType.k === 'image') {
      this.ctx.report('SYN2001', ref.span, { detail: 'a dataset of images needs a struct row type with an `image` field, e.g. `struct Shot { caption: string, image: image }`' });
      return;
    }
    if (rowType.k !== 'struct') return;
    const d = this.ctx.symbols.get(rowType.name)?.decl;
    if (d?.kind !== 'Struct') return;
    for (const f of d.fields) {
      const t = this.ctx.typeRefs.get(f.type) ?? T.unknown;
      if (t.k !== 'image' && containsImage(t, this.ctx)) {
        this.ctx.report('SYN2001', ref.span, { detail: `field '${f.name.name}' of ${rowType.name} holds images inside ${show(t)}; images must be top-level fields of a dataset's row type` });
      }
    }
  }

  private row(value: A.Expr, rowType: Ty | undefined): Ty {
    if (value.kind === 'Record' && rowType && rowType.k === 'struct') {
      const fields = this.exprs.structFields(rowType.name)!;
      const sym = this.ctx.symbols.get(rowType.name)!;
      const given = new Set<string>();
      for (const en of value.entries) {
        const k = keyName(en.key);
        given.add(k);
        if (en.value.kind === 'Missing') continue; // a syntax error was reported; `key` may be a clause keyword
        const t = this.exprs.check(en.value, this.scope());
        const want = fields.get(k);
        if (!want) {
          const hint = closest(k, fields.keys());
          this.ctx.report('SYN2005', en.key.span, { type: rowType.name, name: k, hint: hint ? ` — did you mean '${hint}'?` : '' }, {
            fix: hint ? this.ctx.replaceFix(`Change to '${hint}'`, en.key.span, hint) : undefined,
          });
          continue;
        }
        if (en.key.kind === 'Ident' && sym.decl.kind === 'Struct') {
          const f = sym.decl.fields.find((x) => x.name.name === k);
          if (f) this.ctx.refer(en.key, { file: sym.file, span: f.name.span, kind: 'field', type: want, declName: rowType.name });
        }
        if (!assignable(t, want)) {
          this.ctx.report('SYN2001', en.value.span, { detail: `field '${k}' of ${rowType.name} is ${show(want)}, found ${show(t)}` });
        }
      }
      for (const [k, t] of fields) {
        if (!given.has(k) && t.k !== 'optional') {
          this.ctx.report('SYN2006', value.span, { type: rowType.name, name: k });
        }
      }
      this.ctx.exprTypes.set(value, rowType);
      return rowType;
    }
    const t = this.exprs.check(value, this.scope({ promptCalls: true }));
    if (value.kind !== 'Call' && value.kind !== 'Record' && value.kind !== 'Missing') {
      this.ctx.report('SYN2001', value.span, { detail: '`row =` takes a prompt call or a record literal `{ field: value, ... }`' });
    }
    if (rowType && !assignable(t, rowType)) {
      this.ctx.report('SYN2001', value.span, { detail: `the dataset's rows are ${show(rowType)}, but this produces ${show(t)}` });
    }
    return t;
  }

  /** The type a `vary` variable takes, checking its distribution. */
  private vary(c: A.VaryClause): Ty {
    const e = c.dist;
    if (c.mode === 'grid') {
      if (e.kind === 'Name') {
        const sym = this.ctx.symbols.get(e.name.name);
        if (sym?.decl.kind === 'Enum') {
          this.ctx.refer(e.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
          return { k: 'enum', name: sym.name };
        }
      }
      if (e.kind === 'Range') {
        const lo = constNumber(e.low);
        const hi = constNumber(e.high);
        if (lo === undefined || hi === undefined || !Number.isInteger(lo) || !Number.isInteger(hi) || lo > hi) {
          this.ctx.report('SYN2008', e.span, { detail: '`vary x in a..b` needs constant integers with a ≤ b' });
        }
        return T.int;
      }
      if (e.kind === 'Array') {
        const t = this.exprs.check(e, this.scope());
        return t.k === 'array' ? t.elem : T.unknown;
      }
      this.ctx.report('SYN2008', e.span, { detail: '`vary x in ...` enumerates an enum, a list `[a, b]` or an integer range `1..5`' });
      return T.unknown;
    }
    if (e.kind !== 'Call') {
      if (e.kind !== 'Missing') this.ctx.report('SYN2008', e.span, { detail: `a sampler is expected, e.g. ${Object.values(SAMPLERS).map((s) => s.signature.split(' |')[0]).slice(0, 3).join(', ')}` });
      return T.unknown;
    }
    const name = e.callee.name;
    const bad = (detail: string): Ty => {
      this.ctx.report('SYN2008', e.span, { detail });
      return T.unknown;
    };
    const spec = SAMPLERS[name];
    if (!spec) {
      const hint = closest(name, Object.keys(SAMPLERS));
      this.ctx.report(
        'SYN1001',
        e.callee.span,
        { what: 'sampler', name, hint: hint ? ` — did you mean '${hint}'?` : ` (samplers: ${Object.keys(SAMPLERS).join(', ')})` },
        { fix: hint ? this.ctx.replaceFix(`Change to '${hint}'`, e.callee.span, hint) : undefined, data: { suggestion: hint } },
      );
      return T.unknown;
    }
    this.ctx.refer(e.callee, { file: '', span: e.callee.span, kind: 'builtin', type: T.unknown });
    const nums = (n: number): number[] | undefined => {
      if (e.args.length !== n) return undefined;
      const vals = e.args.map(constNumber);
      return vals.every((v) => v !== undefined) ? (vals as number[]) : undefined;
    };
    switch (name) {
      case 'uniform': {
        if (e.args.length === 1 && e.args[0]!.kind === 'Name') {
          const sym = this.ctx.symbols.get(e.args[0].name.name);
          if (sym?.decl.kind === 'Enum') {
            this.ctx.refer(e.args[0].name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
            return { k: 'enum', name: sym.name };
          }
          const hint = closest(e.args[0].name.name, this.ctx.symbols.names(['Enum']));
          this.ctx.report('SYN1001', e.args[0].span, { what: 'enum', name: e.args[0].name.name, hint: hint ? ` — did you mean '${hint}'?` : '' }, {
            fix: hint ? this.ctx.replaceFix(`Change to '${hint}'`, e.args[0].span, hint) : undefined,
          });
          return T.unknown;
        }
        const v = nums(2);
        if (!v) return bad('uniform takes an enum, or two constant numbers: uniform(0.0, 1.0)');
        if (v[0]! >= v[1]!) return bad('uniform(low, high) needs low < high');
        return T.float;
      }
      case 'normal': {
        const v = nums(2);
        if (!v) return bad('normal takes two constant numbers: normal(mean, sd)');
        if (v[1]! <= 0) return bad('normal(mean, sd) needs sd > 0');
        return T.float;
      }
      case 'randint': {
        const v = nums(2);
        if (!v || !v.every(Number.isInteger)) return bad('randint takes two constant integers: randint(1, 6)');
        if (v[0]! > v[1]!) return bad('randint(low, high) needs low ≤ high');
        return T.int;
      }
      case 'bernoulli': {
        const v = nums(1);
        if (!v || v[0]! < 0 || v[0]! > 1) return bad('bernoulli takes a constant probability in [0, 1]');
        return T.bool;
      }
      case 'poisson': {
        const v = nums(1);
        if (!v || v[0]! <= 0) return bad('poisson takes a constant rate > 0');
        return T.int;
      }
      case 'one_of': {
        if (e.args.length === 0) return bad('one_of needs at least one value');
        // String literals widen to string: one_of("a", "b") draws strings.
        const types = e.args.map((a) => this.exprs.check(a, this.scope())).map((t) => (t.k === 'union' ? T.string : t));
        const first = types[0]!;
        types.forEach((t, i) => {
          if (!assignable(t, first) && !assignable(first, t)) {
            this.ctx.report('SYN2001', e.args[i]!.span, { detail: `one_of values must share a type: ${show(first)} and ${show(t)}` });
          }
        });
        return first;
      }
      case 'weighted': {
        const rec = e.args[0];
        if (e.args.length !== 1 || rec?.kind !== 'Record') return bad('weighted takes a record: weighted { a: 0.6, b: 0.4 }');
        this.checker.fractions(rec, 'weights', true);
        // Keys that are all cases of one enum make the variable that enum; otherwise it is a string.
        const keys = rec.entries.map((en) => en.key);
        const identKeys = keys.filter((k): k is A.Ident => k.kind === 'Ident');
        if (identKeys.length === keys.length && keys.length > 0) {
          const candidates = this.ctx.symbols.enumCases.get(identKeys[0]!.name) ?? [];
          // Several enums may share these cases: prefer the one whose cases are exactly the keys, then the smallest.
          const covering = candidates.filter((name) => identKeys.every((k) => this.ctx.symbols.enumCases.get(k.name)?.includes(name)));
          const size = (name: string) => {
            const d = this.ctx.symbols.get(name)?.decl;
            return d?.kind === 'Enum' ? d.cases.length : Infinity;
          };
          const en = covering.find((name) => size(name) === identKeys.length) ?? [...covering].sort((a, b) => size(a) - size(b))[0];
          if (en) {
            const sym = this.ctx.symbols.get(en)!;
            if (sym.decl.kind === 'Enum') {
              for (const k of identKeys) {
                const cs = sym.decl.cases.find((x) => x.name === k.name);
                if (cs) this.ctx.refer(k, { file: sym.file, span: cs.span, kind: 'enumCase', type: { k: 'enum', name: en }, declName: en });
              }
            }
            return { k: 'enum', name: en };
          }
          const unknownKey = identKeys.find((k) => !this.ctx.symbols.enumCases.has(k.name));
          if (candidates.length > 0 || unknownKey) {
            // Some keys are enum cases, some not: most likely a typo in a case name.
            const allCases = [...this.ctx.symbols.enumCases.keys()];
            const k = unknownKey ?? identKeys[0]!;
            const hint = closest(k.name, allCases);
            if (hint) {
              this.ctx.report('SYN1001', k.span, { what: 'enum case', name: k.name, hint: ` — did you mean '${hint}'?` }, {
                fix: this.ctx.replaceFix(`Change to '${hint}'`, k.span, hint),
                data: { suggestion: hint },
              });
              return T.unknown;
            }
          }
        }
        return T.string;
      }
    }
    return T.unknown;
  }
}
