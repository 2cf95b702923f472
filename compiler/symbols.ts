// The program's namespace: every named declaration of the import closure, plus an index of enum cases so a
// bare `enterprise` can resolve to `Tier.enterprise`.
import type * as A from '../grammar/ast.js';
import { makeDiagnostic, type Diagnostic } from '../base/diagnostics.js';
import type { Program } from './program.js';
import { NamePool } from './suggest.js';

export type NamedDecl = Exclude<A.Decl, A.GoalDecl>;

export interface SymbolInfo {
  name: string;
  decl: NamedDecl;
  file: string;
}

/**
 * What a check read of the namespace besides `get(name)`, as keys of the same read set (none is an identifier, so
 * none collides with a declaration's name): the list of declared names (`names()`, for "did you mean"), the
 * enums declaring one case name (`enumCases.get/has`), and the set of all case names (`enumCases.keys()`).
 * The incremental session (check/session.ts) re-checks a declaration when what it read changed.
 */
export const NAMES_READ = '#names';
/** The entry file's `goal` block (its settings: the split a dataset inherits). */
export const GOAL_READ = '#goal';
export const ALL_CASES_READ = '#cases';
/** A "did you mean" query to a pool of declared names (`namePool`, `casePool`): its view is the answer. */
export const NEAR_READ_PREFIX = '#near ';
const nearRead = (pool: string, name: string): string => `${NEAR_READ_PREFIX}${pool}\u0000${name}`;
/** The pool key of the enum cases (kind lists are joined with ','). */
const CASE_POOL = '#case';
export const CASE_READ_PREFIX = 'case ';
export const caseRead = (caseName: string): string => CASE_READ_PREFIX + caseName;

/** enum case name → the enums declaring it; the lookups a check makes are recorded like `SymbolTable.get`'s. */
export class EnumCaseIndex extends Map<string, string[]> {
  constructor(private readonly table: SymbolTable) {
    super();
  }
  override get(caseName: string): string[] | undefined {
    this.table.reads?.add(caseRead(caseName));
    return super.get(caseName);
  }
  override has(caseName: string): boolean {
    this.table.reads?.add(caseRead(caseName));
    return super.has(caseName);
  }
  override keys(): MapIterator<string> {
    this.table.reads?.add(ALL_CASES_READ);
    return super.keys();
  }
}

export class SymbolTable {
  readonly byName = new Map<string, SymbolInfo>();
  /** enum case name → enum names that declare it */
  readonly enumCases: EnumCaseIndex = new EnumCaseIndex(this);
  goal: { decl: A.GoalDecl; file: string } | undefined;
  /**
   * While set, collects the names looked up, and the `*_READ` keys above for what was read without a lookup: what
   * one declaration's check read (compiler/check/session.ts).
   */
  reads: Set<string> | undefined;

/** The goal block, recording the read while `reads` is set. */
  goalRead(): { decl: A.GoalDecl; file: string } | undefined {
    this.reads?.add(GOAL_READ);
    return this.goal;
  }

  /** The declaration named `name`, recording the lookup while `reads` is set. */
  get(name: string): SymbolInfo | undefined {
    this.reads?.add(name);
    return this.byName.get(name);
  }

/** Every declaration of one kind, in declaration order. */
  ofKind<K extends NamedDecl['kind']>(kind: K): Array<SymbolInfo & { decl: Extract<NamedDecl, { kind: K }> }> {
    this.reads?.add(NAMES_READ);
    return [...this.byName.values()].filter((s) => s.decl.kind === kind) as never;
  }

  /**
   * The declared names, optionally of the given kinds, in declaration order. Memoised per kind list: "did you mean"
   * asks for the same pool once per unknown name, and a spec with thousands of mistakes must stay linear. The table
   * only grows while buildSymbols fills it, so its size tells whether a memo is current.
   */
  names(kinds?: NamedDecl['kind'][]): string[] {
    this.reads?.add(NAMES_READ);
    const key = kinds ? kinds.join(',') : '*';
    const memo = this.namesMemo.get(key);
    if (memo && memo.size === this.byName.size) return memo.names;
    const names = [...this.byName.values()].filter((s) => !kinds || kinds.includes(s.decl.kind)).map((s) => s.name);
    this.namesMemo.set(key, { size: this.byName.size, names });
    return names;
  }

  private readonly namesMemo = new Map<string, { size: number; names: string[] }>();

  /**
   * `names(kinds)` as a pool for "did you mean" (suggest.ts), built once per kind list. Each query is recorded as a
   * read whose view is its answer (`NEAR_READ_PREFIX`): a declaration that asked is checked again only when the
   * answer it got changes, not whenever a name is declared.
   */
  namePool(kinds?: NamedDecl['kind'][]): NamePool {
    const key = kinds ? kinds.join(',') : '*';
    let pool = this.pools.get(key);
    if (!pool || pool.size !== this.byName.size) {
      const names = [...this.byName.values()].filter((s) => !kinds || kinds.includes(s.decl.kind)).map((s) => s.name);
      const inherited = this.inherited?.get(key);
      const same = inherited && inherited.names.length === names.length && inherited.names.every((n, i) => n === names[i]);
      const onQuery = (name: string) => this.reads?.add(nearRead(key, name));
      if (same) inherited.pool.onQuery = onQuery;
      pool = { size: this.byName.size, names, pool: same ? inherited.pool : new NamePool(names, onQuery) };
      this.pools.set(key, pool);
    }
    return pool.pool;
  }

  /** Every enum case name, in declaration order, as a pool for "did you mean"; queries recorded like `namePool`'s. */
  casePool(): NamePool {
    let pool = this.pools.get(CASE_POOL);
    if (!pool || pool.size !== this.enumCases.size) {
      const names = [...Map.prototype.keys.call(this.enumCases)] as string[];
      const inherited = this.inherited?.get(CASE_POOL);
      const same = inherited && inherited.names.length === names.length && inherited.names.every((n, i) => n === names[i]);
      const onQuery = (name: string) => this.reads?.add(nearRead(CASE_POOL, name));
      if (same) inherited.pool.onQuery = onQuery;
      pool = { size: this.enumCases.size, names, pool: same ? inherited.pool : new NamePool(names, onQuery) };
      this.pools.set(CASE_POOL, pool);
    }
    return pool.pool;
  }

  /** The answer a recorded "did you mean" query (`NEAR_READ_PREFIX` key) gets now. */
  nearAnswer(key: string): string {
    const sep = key.indexOf('\u0000');
    const pool = key.slice(NEAR_READ_PREFIX.length, sep);
    const name = key.slice(sep + 1);
    if (pool === CASE_POOL) return this.casePool().answer(name);
    return this.namePool(pool === '*' ? undefined : (pool.split(',') as NamedDecl['kind'][])).answer(name);
  }

  /**
   * Takes over the pools of the table this one replaces where their names are the same, with the answers they
   * memoised (the language server rebuilds the table when a declaration is added or renamed: the other kinds'
   * pools are unchanged).
   */
  inheritPools(previous: SymbolTable): void {
    this.inherited = previous.pools;
  }

  private readonly pools = new Map<string, { size: number; names: string[]; pool: NamePool }>();
  private inherited: Map<string, { size: number; names: string[]; pool: NamePool }> | undefined;
}

/** The keyword that declares each kind of named declaration (also the target kinds of lsp/resolve.ts). */
const DECL_KEYWORD = {
  Enum: 'enum',
  Struct: 'struct',
  Model: 'model',
  Prompt: 'prompt',
  Source: 'source',
  Sim: 'sim',
  Dataset: 'dataset',
} as const satisfies Record<NamedDecl['kind'], string>;

/** The keyword that declares `d`: `enum`, `struct`, `model`, `prompt`, `source`, `sim` or `dataset`. */
export function declKindWord(d: NamedDecl): (typeof DECL_KEYWORD)[NamedDecl['kind']] {
  return DECL_KEYWORD[d.kind];
}

/** `an enum`, `a struct`: a declaration keyword with its indefinite article, for messages. */
export function withArticle(word: string): string {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}

/**
 * The program's namespace: every named declaration of every file, and the index of enum cases; reports
 * duplicate names (SYN1002), duplicate enum cases (SYN1009) and a second goal in the entry file (SYN3008)
 * into `diagnostics`. An imported file's goal is ignored.
 */
export function buildSymbols(program: Program, diagnostics: Diagnostic[]): SymbolTable {
  const table = new SymbolTable();
  for (const p of program.order) {
    const ast = program.files.get(p)!.ast;
    for (const d of ast.decls) {
      if (d.kind === 'Goal') {
        if (p !== program.entry) continue; // an imported file's goal is ignored: the entry's goal governs
        if (table.goal) diagnostics.push(makeDiagnostic('SYN3008', p, d.keyword));
        else table.goal = { decl: d, file: p };
        continue;
      }
      const name = d.name.name;
      if (!name) continue;
      const prev = table.byName.get(name);
      if (prev) {
        diagnostics.push(
          makeDiagnostic('SYN1002', p, d.name.span, { name, previous: withArticle(declKindWord(prev.decl)) }, {
            related: [{ file: prev.file, span: prev.decl.name.span, message: 'first declared here' }],
          }),
        );
        continue;
      }
      table.byName.set(name, { name, decl: d, file: p });
      if (d.kind === 'Enum') {
        const seen = new Set<string>();
        for (const c of d.cases) {
          if (seen.has(c.name)) {
            diagnostics.push(makeDiagnostic('SYN1009', p, c.span, { name: c.name, scope: `enum ${name}` }));
            continue;
          }
          seen.add(c.name);
          const list = table.enumCases.get(c.name) ?? [];
          list.push(name);
          table.enumCases.set(c.name, list);
        }
      }
    }
  }
  return table;
}
