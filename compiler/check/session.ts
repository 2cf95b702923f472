// Incremental checking, for the language server: a CheckSession carries one program's checking state from one
// check to the next, so that after an edit only the declarations the edit can affect are checked again.
//
// What a declaration's check reads of the rest of the program:
//  - declarations it looks up by name (`SymbolTable.get`): the names are recorded as the check runs. When a
//    name comes to denote another declaration (re-parsed: a new AST object; added; removed), everything that
//    looked it up is checked again. This also keeps the spans in its references right: they point into the
//    declarations it read.
//  - the namespace without a lookup by name: the list of declared names ("did you mean"), the enums declaring a
//    bare case name, the set of case names. The symbol table records these reads too (`NAMES_READ`, `caseRead`,
//    `ALL_CASES_READ` in symbols.ts). When the program's *shape* (`declShape`: declaration names and kinds, enum
//    cases, files) changes, the reads whose answer changed are invalidated like a replaced name: an edit that adds,
//    removes or renames a declaration re-checks what looked that name up and what listed the names, not the
//    whole program.
// When neither changed, the declaration's diagnostics are replayed, and what its check wrote into the side
// tables (references, expression types, type references) is still there: the tables belong to the session and
// outlive each check. Before a declaration is checked again, or when it leaves the program, its entries are
// removed, so the tables always hold exactly what a fresh check would write.
//
// Invariants:
//  - `checkProgram(p, { session })` yields the same diagnostics (same order) and the same table contents as
//    `checkProgram(p)`;
//  - a CheckResult computed with a session is valid until that session's next check, which reuses its tables;
//  - a session belongs to one program entry; the same AST (an imported file open in the editor) may be checked by
//    several sessions, each with its own entries.
import type * as A from '../../grammar/ast.js';
import type { Diagnostic } from '../../base/diagnostics.js';
import { newTables, type CheckTables } from './tables.js';
import type { Program } from '../program.js';
import { ALL_CASES_READ, buildSymbols, caseRead, NAMES_READ, type SymbolTable } from '../symbols.js';
import type { Ty } from '../types.js';

interface Entry {
  decl: A.Decl;
  file: string;
  /** the check that last found this declaration in the program */
  seen: number;
  /** changes whenever its recorded results change (see `stampOf`) */
  stamp: number;
  /** a declaration it looked up was replaced since it was checked */
  stale: boolean;
  /** diagnostics of each part: phase 2 (its types) and phases 3–4 (its body); undefined: not checked yet */
  types: Diagnostic[] | undefined;
  body: Diagnostic[] | undefined;
  /** the names its check looked up (both parts) */
  reads: string[];
  /** the table keys its check wrote (both parts) */
  idents: A.Ident[];
  exprs: A.Expr[];
  typeRefs: A.TypeRef[];
}

/** A declaration's contribution to the program's shape; AST nodes never change, so it is computed once. */
const shapes = new WeakMap<A.Decl, string>();
function declShape(d: A.Decl): string {
  let s = shapes.get(d);
  if (s === undefined) {
    s = d.kind === 'Goal' ? 'goal' : d.kind === 'Enum' ? `enum ${d.name.name}{${d.cases.map((c) => c.name).join(',')}}` : `${d.kind} ${d.name.name}`;
    shapes.set(d, s);
  }
  return s;
}

export class CheckSession {
  readonly tables = newTables();
  private readonly entries = new Map<A.Decl, Entry>();
  /** name → the entries whose check looked it up */
  private readonly dependents = new Map<string, Set<Entry>>();
  private shapeParts: string[] = [];
  private checks = 0;
  private stamps = 0;
  /** the symbol table of the last check, and whether building it reported nothing */
  private symbols: SymbolTable | undefined;
  private symbolsClean = false;
  private entry = '';
  /** statistics, for tests and benchmarks: declaration parts checked and replayed */
  readonly stats = { checked: 0, replayed: 0 };

  /**
   * Starts a check of a program: returns its symbol table (symbols.ts), reporting its diagnostics into
   * `diagnostics`. When the program's shape is unchanged and the last table had nothing to report, that table is
   * reused with the re-parsed declarations swapped in (the same names in the same files, so the same table
   * otherwise); else it is built afresh.
   */
  begin(program: Program, diagnostics: Diagnostic[]): SymbolTable {
    this.checks++;
    // The shape, compared in place: unchanged declarations give the very same strings (pointer comparisons).
    const parts = this.shapeParts;
    let n = 0;
    let changed = false;
    const note = (part: string) => {
      if (parts[n] !== part) {
        parts[n] = part;
        changed = true;
      }
      n++;
    };
    for (const p of program.order) {
      note(p);
      for (const d of program.files.get(p)!.ast.decls) note(declShape(d));
    }
    if (parts.length !== n) {
      parts.length = n;
      changed = true;
    }

    const last = this.symbols;
    let symbols: SymbolTable;
    if (!changed && last && this.symbolsClean && this.entry === program.entry) {
      symbols = last;
      for (const p of program.order) {
        for (const d of program.files.get(p)!.ast.decls) {
          if (d.kind === 'Goal') {
            if (p === program.entry && symbols.goal?.decl !== d) symbols.goal = { decl: d, file: p };
            continue;
          }
          const info = d.name.name ? symbols.byName.get(d.name.name) : undefined;
          if (info && info.decl !== d) {
            info.decl = d;
            this.invalidate(d.name.name);
          }
        }
      }
    } else {
      const before = diagnostics.length;
      symbols = buildSymbols(program, diagnostics);
      this.symbolsClean = diagnostics.length === before;
      if (this.entry !== program.entry) {
        // another program: nothing recorded holds
        for (const e of this.entries.values()) e.stale = true;
      }
      // Names whose declaration changed (re-parsed, added, removed): whoever looked them up is stale.
      for (const [name, s] of symbols.byName) if (last?.byName.get(name)?.decl !== s.decl) this.invalidate(name);
      if (last) for (const name of last.byName.keys()) if (!symbols.byName.has(name)) this.invalidate(name);
      if (changed || !last) this.shapeChanged(last, symbols);
    }
    this.symbols = symbols;
    this.entry = program.entry;
    return symbols;
  }

  /**
   * Replays one part of a declaration if its recorded result still holds; false if it must be checked (with
   * `record`). Each declaration's 'types' part must come before its 'body' part in a check: the 'types' call
   * decides whether the recorded results still hold.
   */
  replay(d: A.Decl, file: string, part: 'types' | 'body', diagnostics: Diagnostic[]): boolean {
    const e = part === 'types' ? this.validEntry(d, file) : this.entries.get(d)!;
    const done = e[part];
    if (!done) return false;
    this.stats.replayed++;
    for (let i = 0; i < done.length; i++) diagnostics.push(done[i]!);
    return true;
  }

  /** Checks one part of a declaration, recording what it reports, writes and looks up. */
  record(d: A.Decl, part: 'types' | 'body', diagnostics: Diagnostic[], check: () => void): void {
    const e = this.entries.get(d)!;
    this.stats.checked++;
    const symbols = this.symbols!;
    const { references, exprTypes, typeRefs } = this.tables;
    const start = diagnostics.length;
    const reads = new Set<string>();
    symbols.reads = reads;
    references.sink = e.idents;
    exprTypes.sink = e.exprs;
    typeRefs.sink = e.typeRefs;
    try {
      check();
    } finally {
      symbols.reads = undefined;
      references.sink = exprTypes.sink = typeRefs.sink = undefined;
    }
    e[part] = diagnostics.slice(start);
    e.stamp = ++this.stamps;
    for (const n of reads) {
      e.reads.push(n);
      let deps = this.dependents.get(n);
      if (!deps) this.dependents.set(n, (deps = new Set()));
      deps.add(e);
    }
  }

  /**
   * A number that changes whenever what the session holds for declaration `d` changes (checked again,
   * forgotten): as long as it is the same, so are `d`'s entries in the tables (references, types), its
   * diagnostics and the declarations they point to. Undefined when the session holds nothing for `d`. The
   * language server caches what it derives from a declaration (names and their targets, semantic tokens) under
   * this stamp. Stamps of one session never repeat.
   */
  stampOf(d: A.Decl): number | undefined {
    return this.entries.get(d)?.stamp;
  }

  /** Ends a check: forgets declarations that left the program. */
  end(): void {
    for (const e of this.entries.values()) {
      if (e.seen === this.checks) continue;
      this.forget(e);
      this.entries.delete(e.decl);
    }
  }

  /**
   * The shape changed: invalidates the reads made without a lookup whose answer may differ — the list of names
   * (any change in names, kinds or order), the enums of each case name whose list differs, the set of case names.
   */
  private shapeChanged(last: SymbolTable | undefined, symbols: SymbolTable): void {
    this.invalidate(NAMES_READ);
    // (`reads` is unset outside a check, so these lookups record nothing)
    const before = last?.enumCases;
    let setChanged = !before || before.size !== symbols.enumCases.size;
    for (const [c, enums] of symbols.enumCases) {
      const old = before?.get(c);
      if (!old) setChanged = true;
      if (!old || old.length !== enums.length || old.some((x, i) => x !== enums[i])) this.invalidate(caseRead(c));
    }
    if (before) {
      for (const c of before.keys()) {
        if (symbols.enumCases.has(c)) continue;
        setChanged = true;
        this.invalidate(caseRead(c));
      }
    }
    if (setChanged) this.invalidate(ALL_CASES_READ);
  }

  private invalidate(name: string): void {
    const deps = this.dependents.get(name);
    if (deps) for (const e of deps) e.stale = true;
  }

  /** The declaration's entry, emptied unless its recorded results still hold. */
  private validEntry(d: A.Decl, file: string): Entry {
    let e = this.entries.get(d);
    if (!e) {
      e = { decl: d, file, seen: 0, stamp: ++this.stamps, stale: false, types: undefined, body: undefined, reads: [], idents: [], exprs: [], typeRefs: [] };
      this.entries.set(d, e);
    } else if (e.stale || e.file !== file) {
      this.forget(e);
      e.file = file;
    }
    e.seen = this.checks;
    return e;
  }

  /** Removes what an entry's check wrote into the tables and the names it looked up. */
  private forget(e: Entry): void {
    const { references, exprTypes, typeRefs } = this.tables;
    for (const k of e.idents) references.delete(k);
    for (const k of e.exprs) exprTypes.delete(k);
    for (const k of e.typeRefs) typeRefs.delete(k);
    for (const n of e.reads) {
      const deps = this.dependents.get(n);
      // names typed and gone (every prefix of a name being typed is looked up once) must not pile up
      if (deps?.delete(e) && deps.size === 0) this.dependents.delete(n);
    }
    e.idents = [];
    e.exprs = [];
    e.typeRefs = [];
    e.reads = [];
    e.types = e.body = undefined;
    e.stale = false;
    e.stamp = ++this.stamps;
  }
}
