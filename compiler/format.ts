// `synth fmt`: one canonical layout, printed from the AST. Guarantees:
//  - meaning never changes: the printer only decides whitespace, separators and parentheses;
//  - comments survive: comments between items are re-attached as leading lines or trailing `//` on the same
//    line; an item with a comment *inside* it is printed verbatim from the source rather than risk losing it;
//  - idempotent: formatting formatted text gives the same text (strings are printed from their raw source);
//  - one line ending: the result uses LF throughout, whatever the input mixed.
// A file with syntax errors is not formatted (the result says why).
import type * as A from '../grammar/ast.js';
import { keyName } from '../grammar/ast.js';
import type { Diagnostic } from '../base/diagnostics.js';
import { parseSynth } from '../grammar/parse.js';

const INDENT = '  ';
const MAX_WIDTH = 100;

export interface FormatResult {
  text: string | undefined;
  diagnostics: Diagnostic[];
}

/**
 * The canonical layout of `text` (`path` names it in diagnostics). Returns `text: undefined` and the syntax
 * errors when the file does not parse; never throws. Meaning, comments and strings are kept (see above).
 */
export function formatSource(text: string, path = 'input.synth'): FormatResult {
  const { file, diagnostics } = parseSynth(text, path);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return { text: undefined, diagnostics: errors };
  // One line ending for the whole file (LF): strings and verbatim items are printed from their source text,
  // where a CRLF checkout would otherwise leave CRs behind (and a raw CR in a string means LF anyway).
  return { text: new Printer(text, file).print().replace(/\r\n?/g, '\n'), diagnostics: [] };
}

const PREC: Record<string, number> = {
  '||': 1, '&&': 2, '==': 3, '!=': 3, '<': 3, '<=': 3, '>': 3, '>=': 3, in: 3, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6,
};

class Printer {
  private readonly lines: string[] = [];
  /** line index → length of its code before a trailing `//` comment (aligned in a final pass) */
  private readonly trailingAt = new Map<number, number>();
  private depth = 0;
  private nextComment = 0;
  private readonly comments: A.Comment[];

  constructor(
    private readonly text: string,
    private readonly file: A.SynthFile,
  ) {
    this.comments = [...file.comments].sort((a, b) => a.span.start - b.span.start);
  }

  print(): string {
    const items: Array<A.Decl | A.ImportDecl> = [...this.file.imports, ...this.file.decls].sort((a, b) => a.span.start - b.span.start);
    let lastOneLine = false; // the previous declaration printed as one line
    items.forEach((d, i) => {
      this.leading(d.span.start, true);
      // A blank line between declarations, except between one-line declarations written on adjacent lines
      // (a group of enums or imports stays a group).
      const needsBlank = i > 0 && this.lines[this.lines.length - 1] !== '' && !this.lastIsLeadingComment;
      const mayGroup = needsBlank && lastOneLine && !this.blankBefore(d.span.start);
      if (needsBlank && !mayGroup) this.lines.push('');
      const before = this.lines.length;
      this.decl(d);
      this.trailing(d.span.end);
      lastOneLine = this.lines.length === before + 1;
      if (mayGroup && !lastOneLine) this.insertBlank(before);
    });
    this.leading(this.text.length + 1, true);
    while (this.lines.length > 0 && this.lines[this.lines.length - 1] === '') this.lines.pop();
    this.alignTrailingComments();
    return this.lines.join('\n') + '\n';
  }

  // ------------------------------------------------------------------ comments and lines
  private lastIsLeadingComment = false;

  private line(s: string): void {
    this.lines.push(s === '' ? '' : INDENT.repeat(this.depth) + s);
    this.lastIsLeadingComment = false;
  }

  /** Inserts a blank line at `at`, keeping the recorded trailing-comment lines in step. */
  private insertBlank(at: number): void {
    this.lines.splice(at, 0, '');
    const moved = [...this.trailingAt].filter(([i]) => i >= at);
    for (const [i] of moved) this.trailingAt.delete(i);
    for (const [i, col] of moved) this.trailingAt.set(i + 1, col);
  }

  /** Was there a blank line in the source right before `offset`? (User grouping is kept, at most one line.) */
  private blankBefore(offset: number): boolean {
    return /\n[ \t]*\n[ \t]*$/.test(this.text.slice(Math.max(0, offset - 200), offset));
  }

  private separate(offset: number): void {
    const last = this.lines[this.lines.length - 1];
    if (last !== undefined && last !== '' && !last.endsWith('{') && this.blankBefore(offset)) this.lines.push('');
  }

  /** Prints comments that start before `offset` on their own lines. */
  private leading(offset: number, allowBlank: boolean): void {
    let printed = false;
    while (this.nextComment < this.comments.length && this.comments[this.nextComment]!.span.start < offset) {
      const c = this.comments[this.nextComment++]!;
      if (allowBlank) this.separate(c.span.start);
      const [first, ...rest] = c.text.split('\n');
      this.line(first!.trimEnd());
      for (const l of rest) this.lines.push(l.trimEnd()); // block comment continuation lines keep their layout
      printed = true;
    }
    this.lastIsLeadingComment = printed;
  }

  /** Appends a comment that starts on the same source line after `end` to the last printed line. */
  private trailing(end: number): void {
    const c = this.comments[this.nextComment];
    if (!c || c.span.start < end) return;
    // Only a comment with nothing but spaces between it and the item trails the item.
    if (!/^[ \t]*$/.test(this.text.slice(end, c.span.start))) return;
    if (c.text.includes('\n')) return;
    this.nextComment++;
    this.trailingAt.set(this.lines.length - 1, this.lines[this.lines.length - 1]!.length);
    this.lines[this.lines.length - 1] += '  ' + c.text;
  }

  /**
   * Trailing comments on consecutive lines of one block start in one column, two spaces after the longest code
   * (gofmt's rule); a line without one, a blank line or a change of indentation ends the run.
   */
  private alignTrailingComments(): void {
    const indent = (l: string) => l.length - l.trimStart().length;
    let run: number[] = [];
    const flush = () => {
      const col = Math.max(...run.map((i) => this.trailingAt.get(i)!));
      for (const i of run) {
        const at = this.trailingAt.get(i)!;
        const line = this.lines[i]!;
        this.lines[i] = line.slice(0, at) + ' '.repeat(col - at + 2) + line.slice(at + 2);
      }
      run = [];
    };
    for (let i = 0; i < this.lines.length; i++) {
      const prev = run[run.length - 1];
      if (!this.trailingAt.has(i)) {
        if (run.length) flush();
        continue;
      }
      if (prev !== undefined && (prev !== i - 1 || indent(this.lines[prev]!) !== indent(this.lines[i]!))) flush();
      run.push(i);
    }
    if (run.length) flush();
  }

  private hasCommentInside(span: A.Span): boolean {
    for (let i = this.nextComment; i < this.comments.length; i++) {
      const c = this.comments[i]!;
      if (c.span.start >= span.end) return false;
      if (c.span.start > span.start) return true;
    }
    return false;
  }

  /** Prints one item (a setting, field, clause, statement): verbatim when a comment sits inside it. */
  private item(span: A.Span, render: () => string | string[] | void): void {
    this.leading(span.start, true);
    if (!this.lastIsLeadingComment) this.separate(span.start);
    if (this.hasCommentInside(span)) {
      const raw = this.text.slice(span.start, span.end).split('\n');
      this.line(raw[0]!.trim());
      for (const l of raw.slice(1)) this.lines.push(l.trimEnd());
      // Skip the comments inside: they were printed as part of the verbatim text.
      while (this.nextComment < this.comments.length && this.comments[this.nextComment]!.span.start < span.end) this.nextComment++;
    } else {
      const s = render();
      if (typeof s === 'string') this.line(s);
      else if (Array.isArray(s)) for (const l of s) this.line(l);
    }
    this.trailing(span.end);
  }

  /**
   * `head value` on one line when it fits in MAX_WIDTH at the current depth; else, for a record value, one entry
   * per line (`head {`, `  key: value,` …, `}`), entries breaking the same way in turn.
   */
  private breakable(head: string, value: A.Expr, depth = this.depth): string | string[] {
    const one = `${head}${this.expr(value)}`;
    if (value.kind !== 'Record' || value.entries.length === 0 || INDENT.length * depth + one.length <= MAX_WIDTH) return one;
    const out = [`${head}{`];
    value.entries.forEach((en, i) => {
      const key = `${en.key.kind === 'Ident' ? en.key.name : en.key.raw}: `;
      const entry = this.breakable(key, en.value, depth + 1);
      const lines = typeof entry === 'string' ? [entry] : entry;
      if (i < value.entries.length - 1) lines[lines.length - 1] += ',';
      for (const l of lines) out.push(INDENT + l);
    });
    out.push('}');
    return out;
  }

  private block(open: string, end: number, body: () => void): void {
    this.line(open + ' {');
    this.depth++;
    body();
    this.leading(end - 1, true);
    this.depth--;
    this.line('}');
  }

  // ------------------------------------------------------------------ declarations
  private decl(d: A.Decl | A.ImportDecl): void {
    switch (d.kind) {
      case 'Import':
        this.line(`import ${d.path.raw}`);
        return;
      case 'Goal':
        this.block(`goal${d.description ? ' ' + d.description.raw : ''}`, d.span.end, () => this.settings(d.settings));
        return;
      case 'Enum': {
        const one = `enum ${d.name.name} { ${d.cases.map((c) => c.name).join(', ')} }`;
        if (one.length <= MAX_WIDTH && !this.hasCommentInside(d.span)) {
          this.line(one);
          return;
        }
        this.block(`enum ${d.name.name}`, d.span.end, () => {
          d.cases.forEach((c, i) => this.item(c.span, () => c.name + (i < d.cases.length - 1 ? ',' : '')));
        });
        return;
      }
      case 'Struct':
        this.block(`struct ${d.name.name}`, d.span.end, () => this.fields(d.fields));
        return;
      case 'Model':
        this.block(`model ${d.name.name}`, d.span.end, () => this.settings(d.settings));
        return;
      case 'Prompt': {
        const params = d.params.map((p) => `${p.name.name}: ${this.type(p.type)}`).join(', ');
        const ret = d.returnType ? ` -> ${this.type(d.returnType)}` : '';
        this.block(`prompt ${d.name.name}(${params})${ret}`, d.span.end, () => this.settings(d.settings));
        return;
      }
      case 'Source': {
        const head = `source ${d.name.name}${d.rowType ? ': ' + this.type(d.rowType) : ''} = ${this.expr(d.init)}`;
        if (d.settings.length === 0) this.line(head);
        else this.block(head, d.span.end, () => this.settings(d.settings));
        return;
      }
      case 'Sim':
        this.block(`sim ${d.name.name}`, d.span.end, () => this.simItems(d));
        return;
      case 'Dataset': {
        const head = `dataset ${d.name.name}${d.rowType ? ': ' + this.type(d.rowType) : ''}`;
        this.block(head, d.span.end, () => d.clauses.forEach((c) => this.item(c.span, () => this.clause(c))));
        return;
      }
    }
  }

  private settings(settings: A.Setting[]): void {
    for (const s of settings) this.item(s.span, () => `${s.key.name} ${this.expr(s.value)}`);
  }

  /**
   * Fields as `name: type  @constraint(..)  @other(..)`: constraints two spaces apart, and their column aligned over
   * the constrained fields of each run of fields not separated by a blank line.
   */
  private fields(fields: A.FieldDecl[]): void {
    const heads = fields.map((f) => `${f.name.name}: ${this.type(f.type)}`);
    const column: number[] = [];
    for (let start = 0; start < fields.length; ) {
      let end = start + 1;
      while (end < fields.length && !this.blankBefore(fields[end]!.span.start)) end++;
      const width = Math.max(0, ...fields.slice(start, end).map((f, k) => (f.constraints.length ? heads[start + k]!.length : 0)));
      for (let i = start; i < end; i++) column[i] = width;
      start = end;
    }
    fields.forEach((f, i) => {
      this.item(f.span, () => {
        const cs = f.constraints.map((c) => `@${c.name.name}${c.args.length ? `(${c.args.map((a) => this.expr(a)).join(', ')})` : ''}`);
        return cs.length ? `${heads[i]!.padEnd(column[i]!)}  ${cs.join('  ')}` : heads[i]!;
      });
    });
  }

  private type(t: A.TypeRef): string {
    switch (t.kind) {
      case 'NamedType':
        return t.name.name;
      case 'ArrayType':
        return this.type(t.element) + '[]';
      case 'OptionalType':
        return this.type(t.inner) + '?';
      case 'UnionType':
        return t.members.map((m) => m.raw).join(' | ');
    }
  }

  private simItems(sim: A.SimDecl): void {
    type Item = { span: A.Span; print: () => void };
    const items: Item[] = [
      ...sim.settings.map((s) => ({ span: s.span, print: () => this.item(s.span, () => `${s.key.name} ${this.expr(s.value)}`) })),
      ...[...sim.params, ...sim.states].map((v) => ({
        span: v.span,
        print: () => this.item(v.span, () => `${v.role} ${v.name.name}: ${this.type(v.type)}${v.init ? ' = ' + this.expr(v.init) : ''}`),
      })),
      ...sim.rules.map((r) => ({
        span: r.span,
        print: () => {
          this.leading(r.span.start, true);
          if (!this.lastIsLeadingComment) this.separate(r.span.start);
          this.blockStmts(`rule ${r.name.name}${r.when ? ' when ' + this.expr(r.when) : ''}`, r.body);
          this.trailing(r.span.end);
        },
      })),
      ...sim.events.map((e) => ({
        span: e.span,
        print: () => {
          const one = `event ${e.name.name} { ${e.fields.map((f) => `${f.name.name}: ${this.type(f.type)}`).join(', ')} }`;
          if (one.length <= MAX_WIDTH && !this.hasCommentInside(e.span)) this.item(e.span, () => one);
          else {
            this.leading(e.span.start, true);
            this.block(`event ${e.name.name}`, e.span.end, () => this.fields(e.fields));
          }
        },
      })),
      ...sim.observes.map((o) => ({
        span: o.span,
        print: () => this.item(o.span, () => `observe every ${this.expr(o.every)} { ${o.fields.map((f) => f.name).join(', ')} }`),
      })),
      ...sim.checks.map((c) => ({ span: c.span, print: () => this.item(c.span, () => `check ${this.expr(c.expr)}`) })),
    ].sort((a, b) => a.span.start - b.span.start);
    for (const it of items) it.print();
  }

  private blockStmts(head: string, b: A.Block): void {
    this.block(head, b.span.end, () => {
      for (const s of b.stmts) this.stmt(s);
    });
  }

  private stmt(s: A.Stmt): void {
    switch (s.kind) {
      case 'Let':
        return this.item(s.span, () => this.breakable(`let ${s.name.name}${s.type ? ': ' + this.type(s.type) : ''} = `, s.value));
      case 'Assign':
        return this.item(s.span, () => `${s.target.name} ${s.op} ${this.expr(s.value)}`);
      case 'Emit':
        return this.item(s.span, () => this.breakable(`emit ${s.event.name} `, s.fields));
      case 'If': {
        this.leading(s.span.start, true);
        if (!this.lastIsLeadingComment) this.separate(s.span.start);
        this.ifChain(s, 'if');
        this.trailing(s.span.end);
      }
    }
  }

  private ifChain(s: A.IfStmt, keyword: string): void {
    // `} else {` and `} else if … {` join the closing brace of the previous branch.
    this.line(`${keyword} ${this.expr(s.cond)} {`);
    this.depth++;
    for (const st of s.then.stmts) this.stmt(st);
    this.leading(s.then.span.end - 1, true);
    this.depth--;
    if (!s.else) {
      this.line('}');
      return;
    }
    if (s.else.kind === 'If') {
      this.ifChain(s.else, '} else if');
      return;
    }
    this.line('} else {');
    this.depth++;
    for (const st of s.else.stmts) this.stmt(st);
    this.leading(s.else.span.end - 1, true);
    this.depth--;
    this.line('}');
  }

  private clause(c: A.Clause): string | string[] {
    switch (c.kind) {
      case 'Count':
        return `count ${this.expr(c.value)}`;
      case 'For':
        return `for ${c.binder.name} in ${this.expr(c.iterable)}${c.each ? ' each ' + this.expr(c.each) : ''}${c.where ? ' where ' + this.expr(c.where) : ''}`;
      case 'Vary':
        return `vary ${c.name.name} ${c.mode === 'grid' ? 'in' : '~'} ${this.distribution(c.dist)}`;
      case 'LetClause':
        return this.breakable(`let ${c.name.name} = `, c.value);
      case 'Row':
        return this.breakable('row = ', c.value);
      case 'Check':
        return `check ${this.expr(c.expr)}`;
      case 'Keep':
        return `keep ${c.names.map((n) => n.name).join(', ')}`;
      case 'Unique':
        return `unique ${this.expr(c.expr)}${c.similarity ? ' similarity ' + this.expr(c.similarity) : ''}`;
      case 'Judge':
        return `judge ${c.name.name} = ${this.expr(c.call)}${c.op && c.threshold ? ` ${c.op} ${this.expr(c.threshold)}` : ''}`;
      case 'Expect':
        return `expect ${this.expr(c.expr)}`;
      case 'Output':
        return `output ${c.path.raw}`;
      case 'Format':
        return this.breakable(`format ${c.style.name} `, c.fields);
      case 'SettingClause':
        return `${c.setting.key.name} ${this.expr(c.setting.value)}`;
    }
  }

  /** `weighted { a: 0.6 }` is written without parentheses, as the grammar's `vary` form allows. */
  private distribution(e: A.Expr): string {
    if (e.kind === 'Call' && e.args.length === 1 && e.args[0]!.kind === 'Record' && e.span.start === e.callee.span.start) {
      const src = this.text.slice(e.callee.span.end, e.args[0]!.span.start);
      if (!src.includes('(')) return `${e.callee.name} ${this.expr(e.args[0]!)}`;
    }
    return this.expr(e);
  }

  // ------------------------------------------------------------------ expressions
  expr(e: A.Expr, parentPrec = 0, right = false): string {
    switch (e.kind) {
      case 'Number':
        return e.raw;
      case 'String':
        return e.raw;
      case 'Template':
        return e.raw;
      case 'Bool':
        return String(e.value);
      case 'Duration':
        return e.raw;
      case 'Name':
        return e.name.name;
      case 'Member':
        return `${this.expr(e.object, 8)}.${e.member.name}`;
      case 'Index':
        return `${this.expr(e.object, 8)}[${this.expr(e.index)}]`;
      case 'Call': {
        // named arguments stay where they were written
        const args: Array<{ at: number; text: string }> = e.args.map((a) => ({ at: a.span.start, text: this.expr(a) }));
        for (const n of e.named ?? []) args.push({ at: n.span.start, text: `${n.name.name}: ${this.expr(n.value)}` });
        return `${e.callee.name}(${args.sort((a, b) => a.at - b.at).map((a) => a.text).join(', ')})`;
      }
      case 'Reduction':
        return `${e.op.name}(${this.expr(e.body)} for ${e.binder.name} in ${this.expr(e.domain)}${e.where ? ' where ' + this.expr(e.where) : ''}${e.default ? ', default ' + this.expr(e.default) : ''})`;
      case 'Unary': {
        const s = `${e.op}${this.expr(e.operand, 7)}`;
        return parentPrec > 7 ? `(${s})` : s;
      }
      case 'Binary': {
        const p = PREC[e.op] ?? 0;
        // Comparisons do not chain: parenthesise a comparison operand of a comparison on either side.
        const s = `${this.expr(e.left, p === 3 ? 4 : p)} ${e.op} ${this.expr(e.right, p === 3 ? 4 : p, true)}`;
        return p < parentPrec || (right && p === parentPrec) ? `(${s})` : s;
      }
      case 'Range': {
        const s = `${this.expr(e.low, 5)}..${this.expr(e.high, 5)}`;
        return parentPrec > 4 ? `(${s})` : s;
      }
      case 'Record': {
        if (e.entries.length === 0) return '{}';
        return `{ ${e.entries.map((en) => `${en.key.kind === 'Ident' ? en.key.name : en.key.raw}: ${this.expr(en.value)}`).join(', ')} }`;
      }
      case 'Array':
        return `[${e.items.map((i) => this.expr(i)).join(', ')}]`;
      case 'Missing':
        return '';
    }
  }
}

/** One expression in canonical form (used for readable check/expect labels in plans and reports). */
export function printExpr(e: A.Expr): string {
  return new Printer('', { kind: 'File', path: '', imports: [], decls: [], comments: [], span: { start: 0, end: 0 } }).expr(e);
}

export { keyName };
