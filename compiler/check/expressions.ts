// Type checking of dataset-side expressions: `check`, `let`, `row = {...}`, prompt arguments, template holes,
// `expect` aggregates. Each expression gets a type (recorded in ctx.exprTypes); errors produce `unknown` so a
// single mistake is reported once.
import type * as A from '../../grammar/ast.js';
import { keyName } from '../../grammar/ast.js';
import { AGGREGATES, FUNCTIONS, isArgProblem } from '../builtins.js';
import { TOOL_NAME } from '../chat-types.js';
import { parseDate, parseDatetime } from '../plan/dates.js';
import type { NamePool } from '../suggest.js';
import { T, assignable, comparable, isNumeric, joinTypes, show, type Ty } from '../types.js';
import type { CheckContext } from './context.js';
import { checkAgainst, fits } from './records.js';
import type { Resolution } from './tables.js';

/** The built-ins' names, for "did you mean" (listed once, not per unknown call). */
const FUNCTION_NAMES = Object.keys(FUNCTIONS);
const AGGREGATE_NAMES = Object.keys(AGGREGATES);

/** A name in scope: its type and where it was declared. */
export interface ScopeVar {
  type: Ty;
  resolution: Resolution;
}

/** What an expression may refer to and use, by where it stands. */
export interface Scope {
  vars: Map<string, ScopeVar>;
  /** prompt templates report unknown names as SYN2002 */
  templateOf?: string;
  /** `expect` allows aggregates */
  aggregates?: boolean;
  /** where prompt calls are allowed (`row =`, `let`, `judge`) */
  promptCalls?: boolean;
}

/** Infers and checks the types of expressions against a scope, recording them in `ctx.exprTypes`. */
export class ExprChecker {
  constructor(readonly ctx: CheckContext) {}

  /** The fields of struct `name` with their resolved types; undefined if `name` is not a struct. */
  structFields(name: string): Map<string, Ty> | undefined {
    const s = this.ctx.symbols.get(name);
    if (!s || s.decl.kind !== 'Struct') return undefined;
    const m = new Map<string, Ty>();
    for (const f of s.decl.fields) m.set(f.name.name, this.ctx.typeRefs.get(f.type) ?? T.unknown);
    return m;
  }

  /** The fields of a struct or record type; undefined for other types. */
  fieldsOf(t: Ty): Map<string, Ty> | undefined {
    if (t.k === 'struct') return this.structFields(t.name);
    if (t.k === 'record') return t.fields;
    return undefined;
  }

  /** The type of `e` in `scope` (`unknown` after an error, which is reported once). */
  check(e: A.Expr, scope: Scope): Ty {
    const t = this.infer(e, scope);
    this.ctx.exprTypes.set(e, t);
    return t;
  }

  /** `check`, then SYN2001 unless the type fits `want`; `what` names the value in the message (`a \`check\``). */
  expect(e: A.Expr, scope: Scope, want: Ty, what: string): Ty {
    const t = this.check(e, scope);
    if (!assignable(t, want)) this.ctx.report('SYN2001', e.span, { what, expected: show(want), found: show(t) });
    return t;
  }

  /** `check`, then SYN2028 unless the type is bool; `clause` names the condition in the message (`a \`where\``). */
  expectCondition(e: A.Expr, scope: Scope, clause: string): Ty {
    const t = this.check(e, scope);
    if (!assignable(t, T.bool)) this.ctx.report('SYN2028', e.span, { clause, found: show(t) });
    return t;
  }

  private infer(e: A.Expr, scope: Scope): Ty {
    switch (e.kind) {
      case 'Missing':
        return T.unknown;
      case 'Number':
        return e.isFloat ? T.float : T.int;
      case 'String':
        // A string literal has its own literal type, so it fits a union such as `"minor" | "severe"`.
        return { k: 'union', members: [e.value] };
      case 'Template':
        for (const p of e.parts) {
          if (p.kind !== 'Hole') continue;
          // An image is a file, not text: it cannot be interpolated into a prompt.
          if (this.check(p.expr, scope).k === 'image') this.ctx.report('SYN3017', p.expr.span);
        }
        return T.string;
      case 'Bool':
        return T.bool;
      case 'Duration':
        return T.duration;
      case 'Name':
        return this.name(e.name, scope);
      case 'Member':
        return this.member(e, scope);
      case 'Index': {
        const obj = this.check(e.object, scope);
        this.expect(e.index, scope, T.int, 'an index');
        if (obj.k === 'array') return obj.elem;
        if (obj.k !== 'unknown') this.ctx.report('SYN2011', e.object.span, { op: '[]', expected: 'a list', found: show(obj) });
        return T.unknown;
      }
      case 'Call':
        return this.call(e, scope);
      case 'Reduction':
        this.ctx.report('SYN3021', e.span);
        return T.unknown;
      case 'Unary': {
        const t = this.check(e.operand, scope);
        if (e.op === '!') {
          if (t.k !== 'bool' && t.k !== 'unknown') this.ctx.report('SYN2011', e.operand.span, { op: '!', expected: 'a bool', found: show(t) });
          return T.bool;
        }
        if (!isNumeric(t)) this.ctx.report('SYN2011', e.operand.span, { op: '-', expected: 'a number', found: show(t) });
        return t;
      }
      case 'Binary':
        return this.binary(e, scope);
      case 'Range': {
        const lo = this.check(e.low, scope);
        const hi = this.check(e.high, scope);
        // a range of dates (`d in date("2024-01-01")..date("2024-06-30")`) has two bounds of one date type
        const when = isWhen(lo) || isWhen(hi);
        for (const [x, t] of [[e.low, lo], [e.high, hi]] as const) {
          if (when ? !(isWhen(t) && sameKind(lo, hi)) && t.k !== 'unknown' : !isNumeric(t)) {
            this.ctx.report('SYN2031', x.span, { expected: when ? `a ${isWhen(lo) ? lo.k : hi.k}` : 'a number', found: show(t) });
          }
        }
        return T.unknown;
      }
      case 'Record': {
        const fields = new Map<string, Ty>();
        for (const en of e.entries) fields.set(keyName(en.key), this.check(en.value, scope));
        return { k: 'record', name: '', fields };
      }
      case 'Array': {
        const types = e.items.map((i) => this.check(i, scope)).map((t) => (t.k === 'union' ? T.string : t));
        const first = types.find((t) => t.k !== 'unknown') ?? T.unknown;
        let elem = first;
        e.items.forEach((item, i) => {
          if (!assignable(types[i]!, first) && !assignable(first, types[i]!)) {
            this.ctx.report('SYN2014', item.span, { what: 'list items', first: show(first), other: show(types[i]!) });
          } else elem = joinTypes(elem, types[i]!);
        });
        return { k: 'array', elem };
      }
      case 'Match':
        return this.match(e, scope);
    }
  }

  /**
   * `match subject { key: value, … }`: each key a value of the subject's type (an enum case, a model block, a
   * string, number or bool), at most once; without `default`, an enum or model subject needs every case
   * (SYN3087) and any other subject a `default`. The type joins the arms' types.
   */
  private match(e: A.MatchExpr, scope: Scope): Ty {
    const subject = this.check(e.subject, scope);
    const inner = subject.k === 'optional' ? subject.inner : subject;
    const seen = new Set<string>();
    let result: Ty = T.unknown;
    let hasDefault = false;
    for (const arm of e.arms) {
      const key = arm.key;
      if (key.kind === 'Default') {
        if (hasDefault) this.ctx.report('SYN1009', key.span, { name: 'default', scope: 'this `match`' });
        hasDefault = true;
      } else {
        const name = key.kind === 'Ident' ? key.name : key.kind === 'String' ? key.value : String(key.value);
        if (seen.has(name)) this.ctx.report('SYN1009', key.span, { name, scope: 'this `match`' });
        seen.add(name);
        this.matchKey(key, inner);
      }
      const t = this.check(arm.value, scope);
      // string literals of different arms join into their union
      if (result.k !== 'unknown' && t.k !== 'unknown' && !assignable(t, result) && !assignable(result, t) && !(t.k === 'union' && result.k === 'union')) {
        this.ctx.report('SYN2014', arm.value.span, { what: '`match` arms', first: show(result), other: show(t) });
      } else result = joinTypes(result, t);
    }
    if (!hasDefault && inner.k !== 'unknown') {
      const all = inner.k === 'enum' ? this.enumCases(inner.name) : inner.k === 'model' ? inner.models : inner.k === 'union' ? inner.members : inner.k === 'bool' ? ['true', 'false'] : undefined;
      const missing = all ? all.filter((c) => !seen.has(c)) : ['the values not listed'];
      if (missing.length) this.ctx.report('SYN3087', e.span, { type: show(inner), missing: missing.slice(0, 5).join(', ') + (missing.length > 5 ? ', …' : '') });
    }
    return result;
  }

  private enumCases(name: string): string[] {
    const d = this.ctx.symbols.get(name)?.decl;
    return d?.kind === 'Enum' ? d.cases.map((c) => c.name) : [];
  }

  /** A `match` key against the subject's type: SYN2005 for a case the enum lacks, SYN2001 for a key of another kind. */
  private matchKey(key: Exclude<A.MatchArm['key'], { kind: 'Default' }>, subject: Ty): void {
    if (subject.k === 'unknown') return;
    if (key.kind === 'Ident') {
      if (subject.k === 'enum') {
        const sym = this.ctx.symbols.get(subject.name);
        const c = sym?.decl.kind === 'Enum' ? sym.decl.cases.find((x) => x.name === key.name) : undefined;
        if (sym && c) this.ctx.refer(key, { file: sym.file, span: c.span, kind: 'enumCase', type: subject, declName: subject.name });
        else this.ctx.report('SYN2005', key.span, { type: subject.name, name: key.name }, this.ctx.suggest(key.span, key.name, this.enumCases(subject.name)));
        return;
      }
      if (subject.k === 'model') {
        const sym = this.ctx.symbols.get(key.name);
        if (sym?.decl.kind === 'Model') this.ctx.refer(key, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
        else this.ctx.report('SYN1001', key.span, { what: 'model', name: key.name }, { ...this.ctx.suggest(key.span, key.name, subject.models), data: { name: key.name } });
        return;
      }
      this.ctx.report('SYN2001', key.span, { what: 'a `match` key', expected: show(subject), found: 'a name' });
      return;
    }
    const t: Ty = key.kind === 'String' ? { k: 'union', members: [key.value] } : key.kind === 'Bool' ? T.bool : key.isFloat ? T.float : T.int;
    // a drawn union matches like a string: an arm for a value it cannot draw is allowed, as for a string
    const fits = assignable(t, subject) || (subject.k === 'union' && !!subject.drawn && key.kind === 'String');
    if (!fits || subject.k === 'enum') this.ctx.report('SYN2001', key.span, { what: 'a `match` key', expected: show(subject), found: show(t) });
  }

  private unknownName(id: A.Ident, scope: Scope, ...candidates: Array<Iterable<string> | NamePool>): Ty {
    if (!id.name) return T.unknown;
    const s = this.ctx.suggest(id.span, id.name, ...candidates);
    if (scope.templateOf) this.ctx.report('SYN2002', id.span, { name: id.name, prompt: scope.templateOf }, { ...s, data: { name: id.name } });
    else this.ctx.report('SYN1001', id.span, { what: 'name', name: id.name }, { ...s, data: { name: id.name } });
    return T.unknown;
  }

  /** The type of the name `id`: a variable of `scope`, else an enum case (bare `pro` for `Tier.pro`). */
  name(id: A.Ident, scope: Scope): Ty {
    const v = scope.vars.get(id.name);
    if (v) {
      this.ctx.refer(id, v.resolution);
      return v.type;
    }
    const model = this.ctx.symbols.get(id.name);
    if (model?.decl.kind === 'Model' && !scope.templateOf) {
      // a model block as a value: `using strong`, `one_of(strong, cheap)`
      const type: Ty = { k: 'model', models: [id.name] };
      this.ctx.refer(id, { file: model.file, span: model.decl.name.span, kind: 'decl', type, declName: id.name });
      return type;
    }
    const enums = this.ctx.symbols.enumCases.get(id.name);
    if (enums && enums.length > 0 && !scope.templateOf) {
      const en = this.ctx.symbols.get(enums[0]!)!;
      const c = en.decl.kind === 'Enum' ? en.decl.cases.find((x) => x.name === id.name) : undefined;
      const type: Ty = { k: 'enum', name: enums[0]! };
      if (c) this.ctx.refer(id, { file: en.file, span: c.span, kind: 'enumCase', type, declName: enums[0]! });
      return type;
    }
    return this.unknownName(id, scope, scope.vars.keys(), ...(scope.templateOf ? [] : [this.ctx.symbols.casePool()]));
  }

  private member(e: A.MemberExpr, scope: Scope): Ty {
    // `Tier.pro`: an enum case named through its enum
    if (e.object.kind === 'Name') {
      const sym = this.ctx.symbols.get(e.object.name.name);
      if (sym && sym.decl.kind === 'Enum' && !scope.vars.has(e.object.name.name)) {
        this.ctx.refer(e.object.name, { file: sym.file, span: sym.decl.name.span, kind: 'decl', type: T.unknown, declName: sym.name });
        const c = sym.decl.cases.find((x) => x.name === e.member.name);
        const type: Ty = { k: 'enum', name: sym.name };
        if (!c) {
          this.ctx.report('SYN2005', e.member.span, { type: sym.name, name: e.member.name }, this.ctx.suggest(e.member.span, e.member.name, sym.decl.cases.map((x) => x.name)));
          return T.unknown;
        }
        this.ctx.refer(e.member, { file: sym.file, span: c.span, kind: 'enumCase', type, declName: sym.name });
        return type;
      }
    }
    const obj = this.check(e.object, scope);
    if (obj.k === 'unknown' || !e.member.name) return T.unknown;
    if (obj.k === 'model') {
      // `m.name`: the model block's name; `m.model`: the model name its requests ask the endpoint for
      if (MODEL_FIELDS.includes(e.member.name)) return T.string;
      this.ctx.report('SYN2005', e.member.span, { type: 'model', name: e.member.name }, { ...this.ctx.suggest(e.member.span, e.member.name, MODEL_FIELDS), choices: MODEL_FIELDS });
      return T.unknown;
    }
    const inner = obj.k === 'optional' ? obj.inner : obj;
    const fields = this.fieldsOf(inner);
    if (!fields) {
      this.ctx.report('SYN2013', e.member.span, { type: show(obj) });
      return T.unknown;
    }
    const ft = fields.get(e.member.name);
    if (!ft) {
      this.ctx.report('SYN2005', e.member.span, { type: show(inner), name: e.member.name }, this.ctx.suggest(e.member.span, e.member.name, fields.keys()));
      return T.unknown;
    }
    if (inner.k === 'struct') {
      const s = this.ctx.symbols.get(inner.name);
      const f = s?.decl.kind === 'Struct' ? s.decl.fields.find((x) => x.name.name === e.member.name) : undefined;
      if (s && f) this.ctx.refer(e.member, { file: s.file, span: f.name.span, kind: 'field', type: ft, declName: inner.name });
    }
    return ft;
  }

  private binary(e: A.BinaryExpr, scope: Scope): Ty {
    const l = this.check(e.left, scope);
    const r = this.check(e.right, scope);
    const bad = (op: string, expected: string, found: string) => {
      this.ctx.report('SYN2011', e.span, { op, expected, found });
      return T.unknown;
    };
    switch (e.op) {
      case '&&':
      case '||':
        for (const [x, t] of [[e.left, l], [e.right, r]] as const) {
          if (t.k !== 'bool' && t.k !== 'unknown') this.ctx.report('SYN2011', x.span, { op: e.op, expected: 'bool operands', found: show(t) });
        }
        return T.bool;
      case '==':
      case '!=':
        if (!comparable(l, r)) {
          this.ctx.report('SYN2012', e.span, { left: show(l), right: show(r) });
          return T.unknown;
        }
        return T.bool;
      case '<':
      case '<=':
      case '>':
      case '>=':
        if (isWhen(l) || isWhen(r)) {
          if (!(sameKind(l, r) || l.k === 'unknown' || r.k === 'unknown')) return bad(e.op, 'two numbers, two dates or two datetimes', `${show(l)} and ${show(r)}`);
          return T.bool;
        }
        if (!(isNumeric(l) && isNumeric(r))) return bad(e.op, 'numbers', `${show(l)} and ${show(r)}`);
        return T.bool;
      case 'in':
        if (e.right.kind === 'Range') {
          const bound = this.ctx.exprTypes.get(e.right.low);
          if (isWhen(l) || (bound && isWhen(bound))) {
            if (!(bound && sameKind(l, bound)) && l.k !== 'unknown') return bad('in a..b', `a ${bound && isWhen(bound) ? bound.k : l.k} on the left (the bounds' type)`, show(l));
          } else if (!isNumeric(l)) return bad('in a..b', 'a number on the left', show(l));
        } else if (r.k === 'array') {
          if (!assignable(l, r.elem)) return bad('in', `${show(r.elem)} on the left (the list's item type)`, show(l));
        } else if (r.k !== 'unknown') return bad('in', 'a range `a..b` or a list on the right', show(r));
        return T.bool;
      case '+':
      case '-':
      case '*':
      case '/':
      case '%':
        if (e.op === '+' && (l.k === 'string' || l.k === 'union') && (r.k === 'string' || r.k === 'union')) return T.string;
        // `chat + [user(q)]`: lists of one item type join
        if (e.op === '+' && l.k === 'array' && r.k === 'array') {
          if (assignable(r.elem, l.elem) || assignable(l.elem, r.elem) || l.elem.k === 'unknown' || r.elem.k === 'unknown') return { k: 'array', elem: joinTypes(l.elem, r.elem) };
          return bad('+', 'lists of one item type', `${show(l)} and ${show(r)}`);
        }
        if (!(isNumeric(l) && isNumeric(r))) return bad(e.op, 'numbers', `${show(l)} and ${show(r)}`);
        if (e.op === '/' || l.k === 'float' || r.k === 'float') return T.float;
        return l.k === 'unknown' ? r : l;
    }
  }

  private call(e: A.CallExpr, scope: Scope): Ty {
    const name = e.callee.name;
    if (!name) return T.unknown;
    const sym = this.ctx.symbols.get(name);
    if (sym && sym.decl.kind === 'Prompt') return this.promptCall(e, sym.decl, sym.file, scope);
    if (e.using) {
      this.ctx.report('SYN3080', e.using.span, { name });
      this.check(e.using, scope);
    }
    if (name === 'env') {
      this.ctx.report('SYN4004', e.span, { where: 'a dataset expression' });
      return T.unknown;
    }
    const fn = (scope.aggregates && AGGREGATES[name]) || FUNCTIONS[name];
    if (!fn) {
      const builtins = scope.aggregates ? [FUNCTION_NAMES, AGGREGATE_NAMES] : [FUNCTION_NAMES];
      this.ctx.report('SYN1001', e.callee.span, { what: 'function', name }, { ...this.ctx.suggest(e.callee.span, name, ...builtins, this.ctx.symbols.namePool(['Prompt'])), data: { name } });
      for (const a of e.args) this.check(a, scope);
      return T.unknown;
    }
    // Aggregate arguments are per-row expressions; nested aggregates make no sense.
    const inner: Scope = AGGREGATES[name] && scope.aggregates ? { ...scope, aggregates: false } : scope;
    const args = e.args.map((a) => this.check(a, inner));
    const res = fn.result(args);
    if (isArgProblem(res)) {
      if (res.problem === 'count') this.ctx.report('SYN2010', e.span, { callee: fn.signature, expected: arguments_(res.expected), found: args.length });
      else this.ctx.report('SYN2032', e.args[res.index]!.span, { index: res.index + 1, signature: fn.signature, expected: res.expected, found: show(args[res.index]!) });
      return T.unknown;
    }
    this.ctx.refer(e.callee, { file: '', span: e.callee.span, kind: 'builtin', type: res });
    if (name === 'call_tool') this.toolName(e.args[0]!);
    if (name === 'system' || name === 'user' || name === 'assistant') this.notATemplate(name, e.args[0], scope);
    if ((name === 'date' || name === 'datetime') && e.args[0]?.kind === 'String') checkDateLiteral(this.ctx, name, e.args[0]);
    return res;
  }

  /**
   * `user("order {order} is late")`: a message's text is a plain string, not a template, so a hole over a variable
   * in scope would reach the chat file as braces (SYN3094, a warning: braces may be meant). Escaped braces (`\\{`)
   * are not holes.
   */
  private notATemplate(fn: string, a: A.Expr | undefined, scope: Scope): void {
    if (a?.kind !== 'String' || a.raw === undefined) return;
    for (const m of a.raw.matchAll(/(?<!\\)\{\s*([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}/g)) {
      if (scope.vars.has(m[1]!)) {
        this.ctx.report('SYN3094', a.span, { fn, name: m[1]! });
        return;
      }
    }
  }

  /** call_tool's name: a constant string OpenAI accepts as a tool name (SYN3090), so the chat file can declare it. */
  private toolName(a: A.Expr): void {
    if (a.kind !== 'String' || !TOOL_NAME.test(a.value)) this.ctx.report('SYN3090', a.span, { found: a.kind === 'String' ? JSON.stringify(a.value) : 'an expression' });
  }

  /** A call of prompt `p` (declared in `file`): where it stands, its arguments; the type is the prompt's return. */
  promptCall(e: A.CallExpr, p: A.PromptDecl, file: string, scope: Scope): Ty {
    const ret = p.returnType ? (this.ctx.typeRefs.get(p.returnType) ?? T.unknown) : T.string;
    this.ctx.refer(e.callee, { file, span: p.name.span, kind: 'decl', type: ret, declName: p.name.name });
    if (!scope.promptCalls) {
      this.ctx.report('SYN3003', e.span, { name: p.name.name });
    }
    if (e.using) {
      const m = this.check(e.using, scope);
      if (m.k !== 'model' && m.k !== 'unknown') this.ctx.report('SYN2060', e.using.span, { found: show(m) });
    } else if (!p.settings.some((s) => s.key.name === 'model')) {
      this.ctx.report('SYN3081', e.span, { name: p.name.name }, { related: [{ file, span: p.name.span, message: 'prompt declared here' }] });
    }
    const sig = `${p.name.name}(${p.params.map((x) => `${x.name.name}: ${x.type.kind === 'NamedType' ? x.type.name.name : '…'}`).join(', ')})`;
    if (e.args.length !== p.params.length) {
      this.ctx.report('SYN2010', e.span, { callee: sig, expected: arguments_(p.params.length), found: e.args.length }, {
        related: [{ file, span: p.name.span, message: 'prompt declared here' }],
      });
    }
    e.args.forEach((a, i) => {
      const param = p.params[i];
      const want = param ? (this.ctx.typeRefs.get(param.type) ?? T.unknown) : T.unknown;
      // a record or list literal is checked against the parameter's type field by field (records.ts)
      if (param && (a.kind === 'Record' || a.kind === 'Array') && want.k !== 'unknown') {
        const related = [{ file, span: param.span, message: 'parameter declared here' }];
        checkAgainst(this, a, scope, want, { owner: `argument ${i + 1} (${param.name.name}) of ${p.name.name}`, path: '' }, (span, expected, found) =>
          this.ctx.report('SYN2003', span, { index: i + 1, param: param.name.name, prompt: p.name.name, expected, found }, { related }),
        );
        return;
      }
      const t = this.check(a, scope);
      if (!param) return;
      if (!fits(this, t, want)) {
        this.ctx.report('SYN2003', a.span, { index: i + 1, param: param.name.name, prompt: p.name.name, expected: show(want), found: show(t) }, {
          related: [{ file, span: param.span, message: 'parameter declared here' }],
        });
      }
    });
    return ret;
  }
}

/** The fields of a model value. */
const MODEL_FIELDS = ['name', 'model'];
/** SYN3040 unless the text of `date("…")` / `datetime("…")` is a valid ISO 8601 date / datetime with a zone. */
export function checkDateLiteral(ctx: CheckContext, fn: 'date' | 'datetime', arg: A.StringLit): void {
  const ok = fn === 'date' ? parseDate(arg.value) ?? parseDatetime(arg.value) : parseDatetime(arg.value);
  if (ok !== undefined) return;
  const [kind, example] = fn === 'date' ? ['date', '"2024-01-31"'] : ['datetime with a zone', '"2024-01-31T09:30:00Z"'];
  ctx.report('SYN3040', arg.span, { value: arg.value, kind, example });
}

/** Is `t` a date or a datetime (ordered like numbers, compared only with their own kind)? */
function isWhen(t: Ty): boolean {
  return t.k === 'date' || t.k === 'datetime';
}

/** Are `a` and `b` of the same kind (date with date, datetime with datetime)? */
function sameKind(a: Ty, b: Ty): boolean {
  return a.k === b.k;
}

/** `1 argument`, `2 arguments`. */
function arguments_(n: number): string {
  return `${n} argument${n === 1 ? '' : 's'}`;
}
