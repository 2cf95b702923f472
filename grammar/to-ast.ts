// CST → AST. The CST may be incomplete (error recovery), so every accessor here tolerates missing children and
// produces placeholders (`Ident` with an empty name, `Missing` expressions) instead of throwing.
import type { CstNode, IToken } from 'chevrotain';
import type * as A from './ast.js';
import { parseDuration, parseNumber, stringValue } from './literals.js';

type Child = CstNode | IToken;

/** Hooks the converter needs from the driver: template parsing (which re-enters the parser) and error reports. */
export interface ConvertHooks {
  template(tok: IToken): A.Template;
  /** A number or duration literal that is malformed (`1__0`, `1e999`, an integer beyond 2^53). */
  invalidNumber?(span: A.Span, raw: string, what: string): void;
  /** A chained range `a..b..c`, found while building the AST (the grammar itself accepts it). */
  chainedRange?(span: A.Span): void;
}

/** Binary operators, loosest first. All are left-associative; `..` does not chain. */
export const BINARY_PRECEDENCE: Readonly<Record<string, number>> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 3,
  '<=': 3,
  '>': 3,
  '>=': 3,
  in: 3,
  '..': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

const NUMBER_SHAPE = /^\d+(?:_\d+)*(?:\.\d+(?:_\d+)*)?(?:[eE][+-]?\d+)?$/;
const DURATION_SHAPE = /^\d+(?:_\d+)*(?:\.\d+)?(?:ms|s|m|h)$/;

function isToken(c: Child | undefined): c is IToken {
  return !!c && (c as IToken).image !== undefined;
}

/** The first child that is a CST node (not a token), without allocating. */
function firstNode(n: CstNode): CstNode | undefined {
  for (const key in n.children) {
    for (const c of n.children[key]!) if (!isToken(c)) return c;
  }
  return undefined;
}

function tokenOk(t: IToken | undefined): t is IToken {
  return !!t && !t.isInsertedInRecovery && Number.isFinite(t.startOffset);
}

/** Builds AST nodes from the parser's CST, tolerating the gaps error recovery leaves (see the top of this file). */
export class AstBuilder {
  constructor(private readonly hooks: ConvertHooks) {}

  // ------------------------------------------------------------------ helpers
  private kids(node: CstNode | undefined, label: string): Child[] {
    return (node?.children[label] as Child[] | undefined) ?? [];
  }
  private node(n: CstNode | undefined, label: string): CstNode | undefined {
    return this.kids(n, label).find((c): c is CstNode => !isToken(c));
  }
  private nodes(n: CstNode | undefined, label: string): CstNode[] {
    return this.kids(n, label).filter((c): c is CstNode => !isToken(c));
  }
  private tok(n: CstNode | undefined, label: string): IToken | undefined {
    const t = this.kids(n, label).find(isToken);
    return tokenOk(t) ? t : undefined;
  }
  private toks(n: CstNode | undefined, label: string): IToken[] {
    return this.kids(n, label).filter(isToken).filter(tokenOk);
  }
/** The file span of a CST node; `{0, 0}` for a node recovery inserted. */
  spanOf(n: CstNode | undefined): A.Span {
    const loc = n?.location;
    if (!loc || !Number.isFinite(loc.startOffset)) return { start: 0, end: 0 };
    const end = Number.isFinite(loc.endOffset) ? (loc.endOffset as number) + 1 : loc.startOffset;
    return { start: loc.startOffset, end: Math.max(end, loc.startOffset) };
  }
/** The file span of a token. */
  tokSpan(t: IToken): A.Span {
    return { start: t.startOffset, end: (t.endOffset ?? t.startOffset) + 1 };
  }
  private ident(t: IToken | undefined, fallback: A.Span): A.Ident {
    return t ? { kind: 'Ident', name: t.image, span: this.tokSpan(t) } : { kind: 'Ident', name: '', span: { start: fallback.end, end: fallback.end } };
  }
  private nameOf(n: CstNode, label = 'name'): A.Ident {
    return this.ident(this.tok(n, label), this.spanOf(n));
  }
  private missing(at: A.Span): A.Missing {
    return { kind: 'Missing', span: { start: at.end, end: at.end } };
  }
  private exprOf(n: CstNode | undefined, label: string, parent: CstNode): A.Expr {
    const e = this.node(n, label);
    return e && Number.isFinite(e.location?.startOffset) ? this.expr(e) : this.missing(this.spanOf(parent));
  }
  /** The expression of `n`, or a Missing placeholder at the end of `fallback` when recovery left `n` empty. */
  private exprAt(n: CstNode | undefined, fallback: A.Span): A.Expr {
    return n && Number.isFinite(n.location?.startOffset) ? this.expr(n) : this.missing(fallback);
  }
  private stringLit(t: IToken): A.StringLit {
    return { kind: 'String', value: stringValue(t.image), raw: t.image, triple: t.image.startsWith('"""'), span: this.tokSpan(t) };
  }

  // ------------------------------------------------------------------ declarations
/** The AST of one top-level declaration (an `import` included); undefined when recovery left nothing to build. */
  decl(n: CstNode): A.Decl | A.ImportDecl | undefined {
    const first = firstNode(n);
    if (!first) return undefined;
    switch (first.name) {
      case 'importDecl': {
        const p = this.tok(first, 'path');
        if (!p) return undefined;
        return { kind: 'Import', path: this.stringLit(p), span: this.spanOf(first) };
      }
      case 'goalDecl': {
        const d = this.tok(first, 'description');
        return {
          kind: 'Goal',
          keyword: this.tokSpan(this.kids(first, 'Kw_goal').find(isToken)!),
          description: d ? this.stringLit(d) : undefined,
          settings: this.settings(this.node(first, 'settingsBlock')),
          span: this.spanOf(first),
        };
      }
      case 'enumDecl':
        return {
          kind: 'Enum',
          name: this.nameOf(first),
          cases: this.toks(first, 'case').map((t) => this.ident(t, this.spanOf(first))),
          span: this.spanOf(first),
        };
      case 'structDecl':
        return { kind: 'Struct', name: this.nameOf(first), fields: this.fields(this.node(first, 'fieldList')), span: this.spanOf(first) };
      case 'modelDecl':
        return { kind: 'Model', name: this.nameOf(first), settings: this.settings(this.node(first, 'settingsBlock')), span: this.spanOf(first) };
      case 'promptDecl': {
        const rt = this.node(first, 'returnType');
        return {
          kind: 'Prompt',
          name: this.nameOf(first),
          params: this.nodes(first, 'param').map((p) => ({
            kind: 'Param',
            name: this.nameOf(p),
            type: this.typeRef(this.node(p, 'typeRef'), p),
            span: this.spanOf(p),
          })),
          returnType: rt ? this.typeRef(rt, first) : undefined,
          settings: this.settings(this.node(first, 'settingsBlock'), true),
          span: this.spanOf(first),
        };
      }
      case 'sourceDecl': {
        const rt = this.node(first, 'rowType');
        return {
          kind: 'Source',
          name: this.nameOf(first),
          rowType: rt ? this.typeRef(rt, first) : undefined,
          init: this.exprOf(first, 'init', first),
          settings: this.settings(this.node(first, 'settingsBlock')),
          span: this.spanOf(first),
        };
      }
      case 'simDecl':
        return this.sim(first);
      case 'datasetDecl':
        return this.dataset(first);
    }
    return undefined;
  }

  private static readonly templateKeys = new Set(['system', 'user', 'assistant']);

  private settings(block: CstNode | undefined, templates = false): A.Setting[] {
    return this.nodes(block, 'setting').map((s) => this.setting(s, templates));
  }

  private setting(s: CstNode, templates = false): A.Setting {
    const key = this.nameOf(s, 'key');
    const valueNode = this.node(s, 'value');
    let value: A.Expr = valueNode ? this.expr(valueNode) : this.missing(this.spanOf(s));
    if (templates && AstBuilder.templateKeys.has(key.name)) value = this.asTemplate(valueNode, value);
    return { kind: 'Setting', key, value, span: this.spanOf(s) };
  }

  /** A string literal in template position becomes a Template; anything else is left for the checker to reject. */
  private asTemplate(valueNode: CstNode | undefined, value: A.Expr): A.Expr {
    if (value.kind !== 'String' || !valueNode) return value;
    // The value is exactly one string token: its image is `raw`, at the literal's span.
    return this.hooks.template({ image: value.raw, startOffset: value.span.start } as IToken);
  }

  private fields(list: CstNode | undefined): A.FieldDecl[] {
    return this.nodes(list, 'fieldDecl').map((f) => ({
      kind: 'Field',
      name: this.nameOf(f),
      type: this.typeRef(this.node(f, 'typeRef'), f),
      constraints: this.nodes(f, 'constraint').map((c) => ({
        kind: 'Constraint',
        name: this.nameOf(c),
        args: this.nodes(c, 'args').map((a) => this.exprAt(a, this.spanOf(c))),
        span: this.spanOf(c),
      })),
      span: this.spanOf(f),
    }));
  }

/** The AST of a type reference; a missing one becomes an empty `NamedType` at the end of `parent`. */
  typeRef(n: CstNode | undefined, parent: CstNode): A.TypeRef {
    if (!n) return { kind: 'NamedType', name: this.ident(undefined, this.spanOf(parent)), span: { start: this.spanOf(parent).end, end: this.spanOf(parent).end } };
    const members = this.toks(n, 'member');
    const nameTok = this.tok(n, 'name');
    let t: A.TypeRef;
    if (members.length > 0) {
      const first = members[0]!;
      const last = members[members.length - 1]!;
      t = {
        kind: 'UnionType',
        members: members.map((m) => this.stringLit(m)),
        span: { start: first.startOffset, end: this.tokSpan(last).end },
      };
    } else {
      const id = this.ident(nameTok, this.spanOf(n));
      t = { kind: 'NamedType', name: id, span: id.span };
    }
    // Suffixes in source order: `T[]?` is an optional array.
    const suffixes = [...this.toks(n, 'array'), ...this.toks(n, 'optional')].sort((a, b) => a.startOffset - b.startOffset);
    for (const s of suffixes) {
      const span: A.Span = { start: t.span.start, end: s.tokenType.name === 'LBracket' ? s.startOffset + 2 : s.startOffset + 1 };
      t = s.tokenType.name === 'LBracket' ? { kind: 'ArrayType', element: t, span } : { kind: 'OptionalType', inner: t, span };
    }
    return t;
  }

  // ------------------------------------------------------------------ simulations
  private sim(n: CstNode): A.SimDecl {
    const sim: A.SimDecl = {
      kind: 'Sim',
      name: this.nameOf(n),
      settings: this.nodes(n, 'setting').map((s) => this.setting(s)),
      params: [],
      states: [],
      rules: [],
      events: [],
      observes: [],
      checks: [],
      span: this.spanOf(n),
    };
    for (const v of this.nodes(n, 'simVar')) {
      const roleTok = this.kids(v, 'role').find(isToken);
      const role = roleTok?.image === 'param' ? 'param' : 'state';
      const init = this.node(v, 'init');
      const node: A.SimVar = {
        kind: 'SimVar',
        role,
        name: this.nameOf(v),
        type: this.typeRef(this.node(v, 'typeRef'), v),
        init: init ? this.expr(init) : undefined,
        span: this.spanOf(v),
      };
      (role === 'param' ? sim.params : sim.states).push(node);
    }
    for (const r of this.nodes(n, 'ruleDecl')) {
      const when = this.node(r, 'when');
      sim.rules.push({
        kind: 'Rule',
        name: this.nameOf(r),
        when: when ? this.expr(when) : undefined,
        body: this.block(this.node(r, 'block'), r),
        span: this.spanOf(r),
      });
    }
    for (const e of this.nodes(n, 'eventDecl')) {
      sim.events.push({ kind: 'Event', name: this.nameOf(e), fields: this.fields(this.node(e, 'fieldList')), span: this.spanOf(e) });
    }
    for (const o of this.nodes(n, 'observeDecl')) {
      sim.observes.push({
        kind: 'Observe',
        every: this.exprOf(o, 'every', o),
        fields: this.toks(o, 'field').map((t) => this.ident(t, this.spanOf(o))),
        span: this.spanOf(o),
      });
    }
    for (const c of this.nodes(n, 'simCheck')) {
      sim.checks.push({ kind: 'SimCheck', expr: this.exprOf(c, 'expr', c), span: this.spanOf(c) });
    }
    return sim;
  }

  private block(n: CstNode | undefined, parent: CstNode): A.Block {
    const span = n ? this.spanOf(n) : { start: this.spanOf(parent).end, end: this.spanOf(parent).end };
    const stmts: A.Stmt[] = [];
    for (const s of this.nodes(n, 'stmt')) {
      const st = this.stmt(s);
      if (st) stmts.push(st);
    }
    return { kind: 'Block', stmts, span };
  }

  private stmt(s: CstNode): A.Stmt | undefined {
    const inner = firstNode(s);
    if (!inner) return undefined;
    switch (inner.name) {
      case 'letStmt': {
        const tr = this.node(inner, 'typeRef');
        return { kind: 'Let', name: this.nameOf(inner), type: tr ? this.typeRef(tr, inner) : undefined, value: this.exprOf(inner, 'value', inner), span: this.spanOf(inner) };
      }
      case 'ifStmt':
        return this.ifStmt(inner);
      case 'emitStmt': {
        const rec = this.node(inner, 'recordLit');
        return {
          kind: 'Emit',
          event: this.nameOf(inner, 'event'),
          fields: rec ? this.record(rec) : { kind: 'Record', entries: [], span: this.spanOf(inner) },
          span: this.spanOf(inner),
        };
      }
      case 'assignStmt': {
        const op = (this.tok(inner, 'op')?.image ?? '=') as A.AssignStmt['op'];
        return { kind: 'Assign', target: this.nameOf(inner, 'target'), op, value: this.exprOf(inner, 'value', inner), span: this.spanOf(inner) };
      }
    }
    return undefined;
  }

  private ifStmt(n: CstNode): A.IfStmt {
    const elseIf = this.node(n, 'elseIf');
    const elseBlock = this.node(n, 'else');
    return {
      kind: 'If',
      cond: this.exprOf(n, 'cond', n),
      then: this.block(this.node(n, 'then'), n),
      else: elseIf ? this.ifStmt(elseIf) : elseBlock ? this.block(elseBlock, n) : undefined,
      span: this.spanOf(n),
    };
  }

  // ------------------------------------------------------------------ datasets
  private dataset(n: CstNode): A.DatasetDecl {
    const rt = this.node(n, 'rowType');
    const clauses: A.Clause[] = [];
    for (const c of this.nodes(n, 'clause')) {
      const cl = this.clause(c);
      if (cl) clauses.push(cl);
    }
    return { kind: 'Dataset', name: this.nameOf(n), rowType: rt ? this.typeRef(rt, n) : undefined, clauses, span: this.spanOf(n) };
  }

  private clause(c: CstNode): A.Clause | undefined {
    const n = firstNode(c);
    if (!n) return undefined;
    const span = this.spanOf(n);
    switch (n.name) {
      case 'countClause':
        return { kind: 'Count', value: this.exprOf(n, 'expr', n), span };
      case 'forClause': {
        const each = this.node(n, 'each');
        const where = this.node(n, 'where');
        return { kind: 'For', binder: this.nameOf(n, 'binder'), iterable: this.exprOf(n, 'iterable', n), each: each ? this.expr(each) : undefined, where: where ? this.expr(where) : undefined, span };
      }
      case 'varyClause': {
        const grid = this.tok(n, 'grid') !== undefined;
        let dist: A.Expr;
        if (grid) dist = this.exprOf(n, 'domain', n);
        else {
          const d = this.node(n, 'distribution');
          dist = d ? this.distribution(d) : this.missing(span);
        }
        return { kind: 'Vary', name: this.nameOf(n), mode: grid ? 'grid' : 'sample', dist, span };
      }
      case 'letClause':
        return { kind: 'LetClause', name: this.nameOf(n), value: this.exprOf(n, 'value', n), span };
      case 'rowClause':
        return { kind: 'Row', value: this.exprOf(n, 'value', n), span };
      case 'checkClause':
        return { kind: 'Check', expr: this.exprOf(n, 'expr', n), span };
      case 'keepClause':
        return { kind: 'Keep', names: this.toks(n, 'names').map((t) => this.ident(t, span)), span };
      case 'uniqueClause': {
        const sim = this.node(n, 'similarity');
        return { kind: 'Unique', expr: this.exprOf(n, 'expr', n), similarity: sim ? this.expr(sim) : undefined, span };
      }
      case 'judgeClause': {
        const value = this.exprOf(n, 'value', n);
        // `judge q = rate(row) >= 4`: the comparison splits into the scoring call and its threshold.
        if (value.kind === 'Binary' && (value.op === '>=' || value.op === '>')) {
          return { kind: 'Judge', name: this.nameOf(n), call: value.left, op: value.op, threshold: value.right, span };
        }
        return { kind: 'Judge', name: this.nameOf(n), call: value, op: undefined, threshold: undefined, span };
      }
      case 'expectClause':
        return { kind: 'Expect', expr: this.exprOf(n, 'expr', n), span };
      case 'outputClause': {
        const p = this.tok(n, 'path');
        return { kind: 'Output', path: p ? this.stringLit(p) : { kind: 'String', value: '', raw: '', triple: false, span: { start: span.end, end: span.end } }, span };
      }
      case 'formatClause': {
        const rec = this.node(n, 'recordLit');
        const fields = rec ? this.record(rec, true) : { kind: 'Record' as const, entries: [], span };
        return { kind: 'Format', style: this.nameOf(n, 'style'), fields, span };
      }
      case 'setting':
        return { kind: 'SettingClause', setting: this.setting(n), span };
    }
    return undefined;
  }

  private distribution(d: CstNode): A.Expr {
    const sampler = this.tok(d, 'sampler');
    const rec = this.node(d, 'recordLit');
    if (sampler && rec) {
      return { kind: 'Call', callee: this.ident(sampler, this.spanOf(d)), args: [this.record(rec)], span: this.spanOf(d) };
    }
    return this.exprOf(d, 'expr', d);
  }

  // ------------------------------------------------------------------ expressions
/** The AST of an expression, applying the precedence of BINARY_PRECEDENCE to the flat operator chain. */
  expr(n: CstNode): A.Expr {
    switch (n.name) {
      case 'expr':
        return this.binary(n);
      case 'unaryExpr':
        return this.unary(n);
      case 'postfixExpr':
        return this.postfix(n);
      case 'primary':
        return this.primary(n);
      case 'nameOrCall':
        return this.nameOrCall(n);
      case 'recordLit':
        return this.record(n);
      case 'arrayLit':
        return { kind: 'Array', items: this.nodes(n, 'items').map((i) => this.exprAt(i, this.spanOf(n))), span: this.spanOf(n) };
    }
    return this.missing(this.spanOf(n));
  }

  /**
   * `operand (op operand)*` → a tree, by precedence climbing (iterative: long chains cannot overflow here).
   * All binary operators are left-associative except `..`, which does not chain.
   */
  private binary(n: CstNode): A.Expr {
    const opToks = n.children['op'] as IToken[] | undefined;
    const operandNodes = n.children['operand'] as CstNode[] | undefined;
    if (!opToks) {
      // The common case: a single operand.
      const only = operandNodes?.[0];
      return only ? this.exprAt(only, this.spanOf(n)) : this.missing(this.spanOf(n));
    }
    const ops = opToks.filter(tokenOk);
    const operand = (i: number): A.Expr => this.exprAt(operandNodes?.[i], this.spanOf(n));
    const out: A.Expr[] = [operand(0)];
    const pending: IToken[] = [];
    const reduce = () => {
      const op = pending.pop()!;
      const right = out.pop()!;
      const left = out.pop()!;
      const span = { start: Math.min(left.span.start, right.span.start), end: Math.max(right.span.end, left.span.end) };
      out.push(op.image === '..' ? { kind: 'Range', low: left, high: right, span } : { kind: 'Binary', op: op.image as A.BinaryOp, left, right, span });
    };
    ops.forEach((op, i) => {
      const prec = BINARY_PRECEDENCE[op.image] ?? 0;
      while (pending.length > 0 && BINARY_PRECEDENCE[pending[pending.length - 1]!.image]! >= prec) {
        if (op.image === '..' && pending[pending.length - 1]!.image === '..') this.hooks.chainedRange?.(this.tokSpan(op));
        reduce();
      }
      pending.push(op);
      out.push(operand(i + 1));
    });
    while (pending.length > 0) reduce();
    return out[0]!;
  }

  /** `- ! - x`: prefix operators apply innermost first; `-` on a number literal folds into the literal. */
  private unary(n: CstNode): A.Expr {
    let e = this.exprOf(n, 'postfixExpr', n);
    const ops = n.children['op'] as IToken[] | undefined;
    if (!ops) return e;
    for (let i = ops.length - 1; i >= 0; i--) {
      const op = ops[i]!;
      if (!tokenOk(op)) continue;
      const span = { start: op.startOffset, end: Math.max(e.span.end, op.startOffset + 1) };
      // Fold `-3` into a literal so constants stay constants (weights, constraints, settings).
      if (op.image === '-' && e.kind === 'Number') e = { ...e, value: -e.value, raw: '-' + e.raw, span };
      else e = { kind: 'Unary', op: op.image as A.UnaryOp, operand: e, span };
    }
    return e;
  }

  private postfix(n: CstNode): A.Expr {
    let e = this.exprOf(n, 'primary', n);
    if (!n.children['dot'] && !n.children['index']) return e;
    // Member and index suffixes interleave: order them by source position.
    const members = this.kids(n, 'member').filter(isToken);
    const indexToks = this.kids(n, 'index').filter(isToken);
    const indexExprs = this.nodes(n, 'indexExpr');
    const dots = this.kids(n, 'dot').filter(isToken);
    const closers = this.kids(n, 'RBracket').filter(isToken).filter(tokenOk);
    type Suffix = { at: number; apply: (obj: A.Expr) => A.Expr };
    const suffixes: Suffix[] = [];
    dots.forEach((d, i) => {
      const m = members[i];
      suffixes.push({
        at: d.startOffset,
        apply: (obj) => {
          const member = this.ident(tokenOk(m) ? m : undefined, { start: d.startOffset, end: d.startOffset + 1 });
          return { kind: 'Member', object: obj, member, span: { start: obj.span.start, end: Math.max(member.span.end, d.startOffset + 1) } };
        },
      });
    });
    indexToks.forEach((t, i) => {
      const ie = indexExprs[i];
      suffixes.push({
        at: t.startOffset,
        apply: (obj) => {
          const index = this.exprAt(ie, this.tokSpan(t));
          // Up to the `]` that closes this index; when recovery inserted it (`a[x` at the end of the text) the
          // span ends where the index does, so it never reaches past the text.
          const after = Math.max(index.span.end, t.startOffset + 1);
          const close = closers.find((c) => c.startOffset > t.startOffset && c.startOffset >= index.span.end);
          const end = close ? close.startOffset + 1 : after;
          return { kind: 'Index', object: obj, index, span: { start: obj.span.start, end } };
        },
      });
    });
    suffixes.sort((a, b) => a.at - b.at);
    for (const s of suffixes) e = s.apply(e);
    return e;
  }

  private primary(n: CstNode): A.Expr {
    const span = this.spanOf(n);
    for (const key in n.children) {
      const c = n.children[key]![0]!;
      if (!isToken(c)) return this.expr(c); // a parenthesised expr, a call, a record or a list
      if (!tokenOk(c)) continue;
      switch (c.tokenType.name) {
        case 'NumberLit': {
          const { value, isFloat } = parseNumber(c.image);
          if (!NUMBER_SHAPE.test(c.image) || !Number.isFinite(value)) this.hooks.invalidNumber?.(span, c.image, 'number');
          else if (!isFloat && !Number.isSafeInteger(value)) this.hooks.invalidNumber?.(span, c.image, 'integer (integers are exact up to 2^53)');
          return { kind: 'Number', value, isFloat, raw: c.image, span };
        }
        case 'Duration': {
          const ms = parseDuration(c.image);
          if (!DURATION_SHAPE.test(c.image) || !Number.isFinite(ms)) this.hooks.invalidNumber?.(span, c.image, 'duration');
          return { kind: 'Duration', ms, raw: c.image, span };
        }
        case 'StringLit':
        case 'TripleString':
          return this.stringLit(c);
        case 'Kw_true':
          return { kind: 'Bool', value: true, span };
        case 'Kw_false':
          return { kind: 'Bool', value: false, span };
      }
    }
    return this.missing(span);
  }

  private nameOrCall(n: CstNode): A.Expr {
    const name = this.nameOf(n);
    const span = this.spanOf(n);
    if (!this.kids(n, 'call').length) return { kind: 'Name', name, span };
    const args = this.nodes(n, 'args').map((a) => this.exprAt(a, span));
    const binder = this.tok(n, 'binder');
    const def = this.node(n, 'default');
    if (this.kids(n, 'Kw_for').length) {
      const where = this.node(n, 'where');
      return {
        kind: 'Reduction',
        op: name,
        body: args[0] ?? this.missing(span),
        binder: this.ident(binder, span),
        domain: this.exprOf(n, 'domain', n),
        where: where ? this.expr(where) : undefined,
        default: def ? this.expr(def) : undefined,
        span,
      };
    }
    if (def) args.push(this.expr(def)); // `default` outside a reduction: the checker reports it via arity
    const named = this.nodes(n, 'named').map((a): A.NamedArg => {
      const value = this.node(a, 'value');
      return { kind: 'NamedArg', name: this.nameOf(a), value: value ? this.expr(value) : this.missing(this.spanOf(a)), span: this.spanOf(a) };
    });
    return named.length ? { kind: 'Call', callee: name, args, named, span } : { kind: 'Call', callee: name, args, span };
  }

/** The AST of a record literal; with `templates`, string values are templates (`format chat { ... }`). */
  record(n: CstNode, templates = false): A.RecordLit {
    return {
      kind: 'Record',
      entries: this.nodes(n, 'recordEntry').map((e) => {
        const keyTok = this.tok(e, 'key');
        const key: A.Ident | A.StringLit =
          keyTok && keyTok.tokenType.name === 'StringLit' ? this.stringLit(keyTok) : this.ident(keyTok, this.spanOf(e));
        const valueNode = this.node(e, 'value');
        let value = valueNode ? this.expr(valueNode) : this.missing(this.spanOf(e));
        if (templates) value = this.asTemplate(valueNode, value);
        return { kind: 'RecordEntry', key, value, span: this.spanOf(e) };
      }),
      span: this.spanOf(n),
    };
  }
}
