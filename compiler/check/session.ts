// Incremental checking, for the language server: a CheckSession carries one program's checking state from one
// check to the next, so that after an edit only the declarations the edit can affect are checked again.
//
// What a declaration's check reads of the rest of the program:
//  - declarations it looks up by name (`SymbolTable.get`): the names are recorded as the check runs, and at the
//    end of the check, the *view* each gave — the declaration object the name denoted and that declaration's
//    stamp (changed whenever it is checked again). This also keeps the spans in its references right: they point
//    into the declarations it read.
//  - what those declarations' own checks computed without a lookup by the reader (their phase-2 types, read from
//    the tables): covered by the stamp in the view, and within one check by propagation — a declaration checked
//    again makes whoever looked its name up be checked again, transitively.
//  - the namespace without a lookup by name: "did you mean" queries to the pools of declared names and enum cases
//    (`NEAR_READ_PREFIX` in symbols.ts; the view is the answer), the list of declared names, the enums declaring a
//    bare case name, the set of case names (`NAMES_READ`, `caseRead`, `ALL_CASES_READ`, with the program's *shape*
//    — `declShape`: declaration names and kinds, enum cases, files — or the case's enums as their view).
// A declaration is checked again when it is new (re-parsed), when one of its views no longer holds, or by
// propagation; otherwise its diagnostics are replayed, and what its check wrote into the side tables (references,
// expression types, type references) is still there: the tables belong to the session and outlive each check.
// Views are re-validated only for declarations an edit can have affected: those that read a name whose
// declaration changed (re-parsed, added, removed) or, when the shape changed, a read whose answer changed.
//
// A declaration that leaves the program (deleted, commented out, swallowed by an unterminated string) is *parked*:
// its table entries are taken out of the tables but kept, with its diagnostics and views. If the same declaration
// object comes back (the incremental parser reuses the AST of a segment whose text reappears: an undo) and its
// views hold, it is restored instead of checked. Parked declarations are bounded (`MAX_PARKED`, oldest dropped).
//
// Invariants:
//  - `checkProgram(p, { session })` yields the same diagnostics (same order) and the same table contents as
//    `checkProgram(p)`;
//  - a CheckResult computed with a session is valid until that session's next check, which reuses its tables;
//  - a session belongs to one program entry (another entry starts it afresh); the same AST (an imported file open
//    in the editor) may be checked by several sessions, each with its own entries.
import type * as A from '../../grammar/ast.js';
import type { Diagnostic } from '../../base/diagnostics.js';
import { newTables, type CheckTables } from './tables.js';
import type { Program } from '../program.js';
import { ALL_CASES_READ, buildSymbols, caseRead, CASE_READ_PREFIX, NAMES_READ, NEAR_READ_PREFIX, type SymbolTable } from '../symbols.js';
import type { Ty } from '../types.js';

/** A lookup's answer when it was recorded: the declaration a name denoted and its stamp, or a shape-derived value. */
type View = { decl: A.Decl | undefined; stamp: number | undefined } | string;

interface Entry {
  decl: A.Decl;
  file: string;
  /** the check that last found this declaration in the program */
  seen: number;
  /** changes whenever its recorded results change (see `stampOf`) */
  stamp: number;
  /** a read of it may have changed: its views are validated at the next check that finds it in the program */
  maybe: boolean;
  /** its results do not hold: it is checked again when next found in the program */
  stale: boolean;
  /** out of the program: its table entries are saved in `saved`, not in the tables */
  parked: boolean;
  /** diagnostics of each part: phase 2 (its types) and phases 3–4 (its body); undefined: not checked yet */
  types: Diagnostic[] | undefined;
  body: Diagnostic[] | undefined;
  /** the names (and `*_READ` keys) its check looked up (both parts), and each one's view (set when the check ends) */
  reads: string[];
  views: View[];
  /** whether `views` must be (re)computed at the end of the current check */
  recorded: boolean;
  /** the table keys its check wrote (both parts) */
  idents: A.Ident[];
  exprs: A.Expr[];
  typeRefs: A.TypeRef[];
  /** while parked: the values of those keys */
  saved: { idents: unknown[]; exprs: unknown[]; typeRefs: unknown[] } | undefined;
}

/** How many declarations out of the program are kept for their return (an undo); the oldest go first. */
export const MAX_PARKED = 4096;

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
  /** entries out of the program, oldest first */
  private readonly parked = new Set<Entry>();
  private shapeParts: string[] = [];
  /** the shape as one string: the view of reads that list the namespace */
  private shapeKey = '';
  private checks = 0;
  private stamps = 0;
  /** the symbol table of the last check, and whether building it reported nothing */
  private symbols: SymbolTable | undefined;
  private symbolsClean = false;
  private entry = '';
  /** statistics, for tests and benchmarks: declaration parts checked and replayed, declarations restored from parking */
  readonly stats = { checked: 0, replayed: 0, restored: 0 };

  /**
   * Starts a check of a program: returns its symbol table (symbols.ts), reporting its diagnostics into
   * `diagnostics`, and decides which declarations' recorded results still hold. When the program's shape is
   * unchanged and the last table had nothing to report, that table is reused with the re-parsed declarations
   * swapped in (the same names in the same files, so the same table otherwise); else it is built afresh.
   */
  begin(program: Program, diagnostics: Diagnostic[]): SymbolTable {
    if (this.entry && this.entry !== program.entry) this.reset();
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
    if (changed) this.shapeKey = parts.join('\n');

    const last = this.symbols;
    let symbols: SymbolTable;
    if (!changed && last && this.symbolsClean) {
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
      if (last) symbols.inheritPools(last);
      this.symbolsClean = diagnostics.length === before;
      // Names whose declaration changed (re-parsed, added, removed): whoever looked them up may be stale.
      for (const [name, s] of symbols.byName) if (last?.byName.get(name)?.decl !== s.decl) this.invalidate(name);
      if (last) for (const name of last.byName.keys()) if (!symbols.byName.has(name)) this.invalidate(name);
      if (changed || !last) this.shapeChanged(last, symbols);
    }
    this.symbols = symbols;
    this.entry = program.entry;
    this.settle(program, symbols);
    return symbols;
  }

  /**
   * Decides, for the declarations of the program about to be checked, whose recorded results hold: a candidate
   * (or a parked declaration coming back) whose views no longer hold is stale; a stale or new declaration makes
   * whoever looked its name up stale, transitively (its types may differ).
   */
  private settle(program: Program, symbols: SymbolTable): void {
    const changedNames: string[] = [];
    for (const p of program.order) {
      for (const d of program.files.get(p)!.ast.decls) {
        const e = this.entries.get(d);
        if (!e) {
          if (d.kind !== 'Goal' && d.name.name) changedNames.push(d.name.name);
          continue;
        }
        e.seen = this.checks;
        if (!e.stale && (e.file !== p || ((e.maybe || e.parked) && !this.viewsHold(e, symbols)))) e.stale = true;
        e.maybe = false;
        if (e.stale && e.decl.kind !== 'Goal' && e.decl.name.name) changedNames.push(e.decl.name.name);
      }
    }
    // Propagation: readers in the program become stale; readers out of it will see the new stamp in their views.
    while (changedNames.length > 0) {
      const deps = this.dependents.get(changedNames.pop()!);
      if (!deps) continue;
      for (const r of deps) {
        if (r.seen !== this.checks) r.maybe = true;
        else if (!r.stale) {
          r.stale = true;
          if (r.decl.kind !== 'Goal' && r.decl.name.name) changedNames.push(r.decl.name.name);
        }
      }
    }
    // (readers out of the program keep `maybe` until they come back)
  }

  /** Whether every lookup an entry's check made would give the same answer now. */
  private viewsHold(e: Entry, symbols: SymbolTable): boolean {
    if (e.views.length !== e.reads.length) return false;
    for (let i = 0; i < e.reads.length; i++) {
      const v = e.views[i]!;
      const now = this.viewOf(e.reads[i]!, symbols);
      if (typeof v === 'string' || typeof now === 'string' ? v !== now : v.decl !== now.decl || v.stamp !== now.stamp) return false;
    }
    return true;
  }

  /** What a recorded read gives now (lookups here record nothing: `reads` is unset outside a check). */
  private viewOf(key: string, symbols: SymbolTable): View {
    if (key === NAMES_READ || key === ALL_CASES_READ) return this.shapeKey;
    if (key.startsWith(NEAR_READ_PREFIX)) return symbols.nearAnswer(key);
    if (key.startsWith(CASE_READ_PREFIX)) return symbols.enumCases.get(key.slice(CASE_READ_PREFIX.length))?.join(',') ?? '';
    const decl = symbols.byName.get(key)?.decl;
    return { decl, stamp: decl ? this.entries.get(decl)?.stamp : undefined };
  }

  /**
   * Replays one part of a declaration if its recorded result still holds; false if it must be checked (with
   * `record`). Each declaration's 'types' part must come before its 'body' part in a check: the 'types' call
   * restores or empties its entry.
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
    e.recorded = true;
    for (const n of reads) {
      if (e.reads.includes(n)) continue;
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
    const e = this.entries.get(d);
    return e && !e.parked ? e.stamp : undefined;
  }

  /** Ends a check: records the views of what was checked, parks declarations that left the program. */
  end(): void {
    const symbols = this.symbols!;
    for (const e of this.entries.values()) {
      if (e.seen !== this.checks) {
        if (!e.parked) this.park(e);
        continue;
      }
      if (!e.recorded) continue;
      e.recorded = false;
      e.views = e.reads.map((k) => this.viewOf(k, symbols));
    }
    // the oldest parked go first (a Set iterates in insertion order)
    for (const e of this.parked) {
      if (this.parked.size <= MAX_PARKED) break;
      this.parked.delete(e);
      this.forget(e);
      this.entries.delete(e.decl);
    }
  }

  /**
   * The shape changed: marks the reads made without a lookup whose answer may differ — the list of names
   * (any change in names, kinds or order), the enums of each case name whose list differs, the set of case names.
   */
  private shapeChanged(last: SymbolTable | undefined, symbols: SymbolTable): void {
    this.invalidate(NAMES_READ);
    // "did you mean" queries: their views (the answers) are compared, memoised per pool
    for (const key of this.dependents.keys()) if (key.startsWith(NEAR_READ_PREFIX)) this.invalidate(key);
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

  /** Marks whoever read `key` for validation at this check (or, out of the program, when it comes back). */
  private invalidate(key: string): void {
    const deps = this.dependents.get(key);
    if (!deps) return;
    for (const e of deps) e.maybe = true;
  }

  /** The declaration's entry: restored if it was parked, emptied if its recorded results do not hold. */
  private validEntry(d: A.Decl, file: string): Entry {
    let e = this.entries.get(d);
    if (!e) {
      e = {
        decl: d,
        file,
        seen: this.checks,
        stamp: ++this.stamps,
        maybe: false,
        stale: false,
        parked: false,
        types: undefined,
        body: undefined,
        reads: [],
        views: [],
        recorded: false,
        idents: [],
        exprs: [],
        typeRefs: [],
        saved: undefined,
      };
      this.entries.set(d, e);
      return e;
    }
    if (e.parked) {
      this.parked.delete(e);
      if (e.stale) {
        e.parked = false;
        e.saved = undefined;
      } else this.unpark(e);
    }
    if (e.stale || e.file !== file) {
      this.forget(e);
      e.file = file;
    }
    return e;
  }

  /** Takes an entry's table entries out of the tables, keeping their values. */
  private park(e: Entry): void {
    const { references, exprTypes, typeRefs } = this.tables;
    const take = <K, V>(m: Map<K, V>, keys: K[]) =>
      keys.map((k) => {
        const v = m.get(k);
        m.delete(k);
        return v;
      });
    e.saved = { idents: take(references, e.idents), exprs: take(exprTypes, e.exprs), typeRefs: take(typeRefs, e.typeRefs) };
    e.parked = true;
    this.parked.add(e);
  }

  /** Puts a parked entry's table entries back. */
  private unpark(e: Entry): void {
    const { references, exprTypes, typeRefs } = this.tables;
    const saved = e.saved!;
    const put = <K, V>(m: Map<K, V>, keys: K[], values: unknown[]) => {
      for (let i = 0; i < keys.length; i++) if (values[i] !== undefined) m.set(keys[i]!, values[i] as V);
    };
    put(references, e.idents, saved.idents);
    put(exprTypes, e.exprs, saved.exprs);
    put(typeRefs, e.typeRefs, saved.typeRefs);
    e.saved = undefined;
    e.parked = false;
    this.stats.restored++;
  }

  /** Removes what an entry's check wrote into the tables and the names it looked up. */
  private forget(e: Entry): void {
    if (!e.parked) {
      const { references, exprTypes, typeRefs } = this.tables;
      for (const k of e.idents) references.delete(k);
      for (const k of e.exprs) exprTypes.delete(k);
      for (const k of e.typeRefs) typeRefs.delete(k);
    }
    for (const n of e.reads) {
      const deps = this.dependents.get(n);
      // names typed and gone (every prefix of a name being typed is looked up once) must not pile up
      if (deps?.delete(e) && deps.size === 0) this.dependents.delete(n);
    }
    e.idents = [];
    e.exprs = [];
    e.typeRefs = [];
    e.reads = [];
    e.views = [];
    e.recorded = false;
    e.saved = undefined;
    e.types = e.body = undefined;
    e.stale = false;
    e.maybe = false;
    e.stamp = ++this.stamps;
  }

  /** Forgets everything (another program). The tables are emptied in place: results handed out share them. */
  private reset(): void {
    for (const e of this.entries.values()) {
      e.parked = false;
      this.forget(e);
    }
    this.entries.clear();
    this.dependents.clear();
    this.parked.clear();
    this.shapeParts = [];
    this.shapeKey = '';
    this.symbols = undefined;
    this.symbolsClean = false;
    const { references, exprTypes, typeRefs } = this.tables;
    references.clear();
    exprTypes.clear();
    typeRefs.clear();
  }
}
