// The incremental checker (compiler/check-session.ts) must agree with a fresh check of the same AST after every
// edit: same diagnostics in the same order, same references, expression types and type references.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type * as A from '../../grammar/ast.js';
import { checkProgram, type CheckResult } from '../../compiler/check.js';
import { CheckSession } from '../../compiler/check/session.js';
import { loadProgram, type Host } from '../../compiler/program.js';
import { DocumentParser } from '../../lsp/incremental-parse.js';
import { exampleSpecs } from '../support/examples.js';
import { mulberry32 } from '../support/prng.js';
import { editSession, randomEdit } from './support/edits.js';
import { bigSpec } from '../../bench/lsp/spec.js';
import type { NamedDecl } from '../../compiler/symbols.js';

const json = (x: unknown) => JSON.stringify(x);

function tables(r: CheckResult) {
  const ctx = r.ctx;
  const s = r.symbols;
  return {
    diagnostics: json(r.diagnostics),
    // the table by declaration identity: a reused table must hold the re-parsed declarations
    symbols: new Map<object, string>([...[...s.byName].map(([k, v]) => [v.decl, `${k} ${v.file}`] as const), ...(s.goal ? [[s.goal.decl, `goal ${s.goal.file}`] as const] : [])]),
    enumCases: json([...s.enumCases]),
    references: new Map([...ctx.references].map(([k, v]) => [k, json(v)])),
    exprTypes: new Map([...ctx.exprTypes].map(([k, v]) => [k, json(v)])),
    typeRefs: new Map([...ctx.typeRefs].map(([k, v]) => [k, json(v)])),
  };
}

/** The first difference between two node-keyed tables, described. */
function tableDiff(name: string, got: Map<object, string>, want: Map<object, string>): string | undefined {
  for (const [k, v] of want) {
    if (!got.has(k)) return `${name}: missing ${json(k).slice(0, 120)}`;
    if (got.get(k) !== v) return `${name}: ${json(k).slice(0, 120)} is ${got.get(k)}, want ${v}`;
  }
  for (const k of got.keys()) if (!want.has(k)) return `${name}: extra ${json(k).slice(0, 120)}`;
  return undefined;
}

/**
 * Edits aimed at the namespace: a name (declaration, field, case, use) renamed to another name of the text, given
 * a typo, or cut; an enum case added; a declaration added or removed. These change the program's shape, which the
 * session tracks per read (check/session.ts).
 */
function nameEdit(text: string, rnd: () => number): string {
  const names = [...text.matchAll(/[A-Za-z_][A-Za-z0-9_]*/g)];
  const pick = () => names[Math.floor(rnd() * names.length)]!;
  const r = rnd();
  if (r < 0.1) {
    // a new enum case
    const m = [...text.matchAll(/enum \w+ \{/g)];
    if (m.length) {
      const at = m[Math.floor(rnd() * m.length)]!;
      const i = at.index + at[0].length;
      return text.slice(0, i) + ` ${pick()[0]},` + text.slice(i);
    }
  }
  if (r < 0.2) {
    // a new declaration reusing a name of the text (a duplicate, a new target for an unknown name...)
    const name = pick()[0];
    const decl = [`enum ${name} { ${pick()[0]}, b }`, `struct ${name} {\n  a: int\n}`, `model ${name} {\n  provider openai\n}`][Math.floor(rnd() * 3)]!;
    return `${text}\n${decl}\n`;
  }
  const m = pick();
  const [w] = m;
  let next: string;
  if (r < 0.5) next = pick()[0];
  else if (r < 0.7) next = w.slice(0, -1);
  else if (r < 0.9) next = w + 'x';
  else next = '';
  return text.slice(0, m.index) + next + text.slice(m.index + w.length);
}

/** Compares a session's check with a fresh one of the same AST; the first difference, described. */
function difference(incResult: CheckResult, freshResult: CheckResult): string | undefined {
  const inc = tables(incResult);
  const fresh = tables(freshResult);
  return (
    (inc.diagnostics !== fresh.diagnostics ? `diagnostics: ${inc.diagnostics} vs ${fresh.diagnostics}` : undefined) ??
    (inc.enumCases !== fresh.enumCases ? `enum cases: ${inc.enumCases} vs ${fresh.enumCases}` : undefined) ??
    tableDiff('symbols', inc.symbols, fresh.symbols) ??
    tableDiff('references', inc.references, fresh.references) ??
    tableDiff('exprTypes', inc.exprTypes as Map<A.Expr, string>, fresh.exprTypes) ??
    tableDiff('typeRefs', inc.typeRefs, fresh.typeRefs)
  );
}

describe('incremental check', () => {
  const cases: Array<[string, string, (text: string, rnd: () => number) => string]> = exampleSpecs().flatMap((spec) => [
    [`random edits: ${spec.split('/').slice(-1)[0]}`, spec, randomEdit],
    [`edits of names: ${spec.split('/').slice(-1)[0]}`, spec, nameEdit],
  ]);
  for (const [title, spec, edit] of cases) {
    it(`matches a fresh check under ${title}`, () => {
      const rnd = mulberry32(spec.length * 7 + (edit === nameEdit ? 1 : 0));
      const original = readFileSync(spec, 'utf8');
      const parsers = new Map<string, DocumentParser>();
      const host: Host = {
        readFile: (p) => {
          try {
            return readFileSync(p, 'utf8');
          } catch {
            return undefined;
          }
        },
        parse: (text, p) => {
          let parser = parsers.get(p);
          if (!parser) parsers.set(p, (parser = new DocumentParser(p)));
          return parser.parse(text);
        },
      };
      const session = new CheckSession();
      let text = original;
      for (let i = 0; i < 150; i++) {
        text = i % 40 === 39 ? original : edit(text, rnd);
        const program = loadProgram(spec, host, text);
        const incResult = checkProgram(program, { session });
        // a check that crashed would be hidden as SYN9001: on these edits, none may
        const crashed = incResult.diagnostics.find((x) => x.code === 'SYN9001');
        if (crashed) expect({ step: i, text, crashed: crashed.message }).toBeUndefined();
        const d = difference(incResult, checkProgram(program));
        if (d) expect({ step: i, text, d }).toBeUndefined();
      }
      // most declarations are replayed, not checked again
      expect(session.stats.replayed).toBeGreaterThan(session.stats.checked);
    });
  }
});

/**
 * Reads of the namespace without a lookup by name (symbols.ts `NAMES_READ`, `caseRead`, `ALL_CASES_READ`): each
 * scenario is a sequence of texts where a later edit changes only such a read of another declaration. The session
 * must re-check that declaration (its diagnostics differ from the replayed ones).
 */
describe('incremental check: declarations that leave and come back', () => {
  // Runs of edits undone one by one, on a spec of several copies of the examples: declarations swallowed by an
  // unterminated string or comment come back as the same AST objects (the parser keeps dropped segments), and the
  // session restores them (parked) when what they read is unchanged — or checks them again when it is not.
  it('matches a fresh check at every step of undo-heavy sessions, and restores parked declarations', () => {
    const p = '/virtual/undo.synth';
    const original = exampleSpecs()
      .filter((f) => /tickets|traffic/.test(f))
      .map((f) => readFileSync(f, 'utf8').replace(/^import .*$/gm, ''))
      .join('\n')
      .repeat(3)
      .replace(/\b(Tier|Mood|Ticket|writer|write_ticket|tickets|traffic|Crash|crashes|Sample|trajectories)\b/g, (m, _n, off: number) => `${m}_${Math.floor(off / 3000)}`);
    const parser = new DocumentParser(p);
    const host: Host = { readFile: () => undefined, parse: (text) => parser.parse(text) };
    const session = new CheckSession();
    const rnd = mulberry32(4242);
    let step = 0;
    for (const text of editSession(original, 400, rnd)) {
      const program = loadProgram(p, host, text);
      const incResult = checkProgram(program, { session });
      const d = difference(incResult, checkProgram(program));
      if (d) expect({ step, text, d }).toBeUndefined();
      step++;
    }
    expect(parser.stats.recalled).toBeGreaterThan(50);
    expect(session.stats.restored).toBeGreaterThan(50);
  });
});

const OUT_AND_BACK = 'dataset d: D {\n  count 1\n  row = { x: 5 }\n  check row.x == row.x\n  output "o.jsonl"\n}\n';

describe('incremental check: reads without a lookup', () => {
  const base = (extra: string) => `enum Tier { free, pro, enterprise }\nstruct T {\n  a: string\n}\n${extra}`;
  const scenarios: Array<[string, string[]]> = [
    // "did you mean" lists the model names: a new model close to the unknown one changes the suggestion
    [
      'the list of names (did you mean)',
      [
        base('prompt p(x: string) -> T {\n  model writr\n  user "{x}"\n}\n'),
        base('prompt p(x: string) -> T {\n  model writr\n  user "{x}"\n}\nmodel writer {\n  provider openai\n}\n'),
        base('prompt p(x: string) -> T {\n  model writr\n  user "{x}"\n}\nmodel writ {\n  provider openai\n}\n'),
        base('prompt p(x: string) -> T {\n  model writr\n  user "{x}"\n}\n'),
      ],
    ],
    // a query to a pool the symbol table took over from the table before it (another struct declared: the model
    // pool is unchanged) is recorded for the check that made it; then the model it suggested is renamed
    [
      'a "did you mean" asked of a pool kept from the table before',
      [
        base('prompt p(x: string) -> T {\n  model writr\n  user "{x}"\n}\nmodel writer {\n  provider openai\n}\n'),
        base('prompt p(x: string) -> T {\n  model writr\n  user "{x} "\n}\nmodel writer {\n  provider openai\n}\nstruct B {\n  b: int\n}\n'),
        base('prompt p(x: string) -> T {\n  model writr\n  user "{x} "\n}\nmodel author {\n  provider openai\n}\nstruct B {\n  b: int\n}\n'),
      ],
    ],
    // a bare case name resolves through the case index: a case added to (or removed from) an enum changes it
    [
      'the enums of a bare case',
      [
        base('dataset d: T {\n  count 1\n  vary t ~ one_of(Tier.free)\n  check t == vip\n  row = { a: "x" }\n}\n'),
        base('dataset d: T {\n  count 1\n  vary t ~ one_of(Tier.free)\n  check t == vip\n  row = { a: "x" }\n}\n').replace('enterprise', 'enterprise, vip'),
        base('dataset d: T {\n  count 1\n  vary t ~ one_of(Tier.free)\n  check t == vip\n  row = { a: "x" }\n}\n'),
        base('dataset d: T {\n  count 1\n  vary t ~ one_of(Tier.free)\n  check t == vip\n  row = { a: "x" }\n}\nenum Vip { vip }\n'),
      ],
    ],
    // the same case name declared by an enum before `Tier`: `pro` now means `Early.pro` (no case name is new)
    [
      'the enums of a resolved bare case',
      [
        base('dataset d: T {\n  count 1\n  vary t ~ one_of(Tier.free)\n  check t == pro\n  row = { a: "x" }\n}\n'),
        'enum Early { pro }\n' + base('dataset d: T {\n  count 1\n  vary t ~ one_of(Tier.free)\n  check t == pro\n  row = { a: "x" }\n}\n'),
        base('dataset d: T {\n  count 1\n  vary t ~ one_of(Tier.free)\n  check t == pro\n  row = { a: "x" }\n}\n'),
      ],
    ],
    // the dataset reads struct D, whose field type is E: when E stops being a type, D's field types change (D is
    // checked again) and so does the dataset's check of its row, though the dataset never looked E up
    [
      'a declaration whose types changed',
      [
        'struct D {\n  x: E\n}\nenum E { a }\ndataset d: D {\n  count 1\n  row = { x: 5 }\n  output "o.jsonl"\n}\n',
        'struct D {\n  x: E\n}\nmodel E {\n  provider openai\n}\ndataset d: D {\n  count 1\n  row = { x: 5 }\n  output "o.jsonl"\n}\n',
        'struct D {\n  x: E\n}\nenum E { a }\ndataset d: D {\n  count 1\n  row = { x: 5 }\n  output "o.jsonl"\n}\n',
      ],
    ],
    // the same, while the dataset is out of the program (commented out): when it comes back (the same AST object,
    // from the parser's dropped segments), the struct it read is the same object but was checked again (its stamp
    // changed), so the dataset is checked, not restored
    [
      'a declaration that changed while it was out of the program',
      [
        'struct D {\n  x: E\n}\nenum E { a }\nenum Z { z }\n' + OUT_AND_BACK,
        'struct D {\n  x: E\n}\nenum E { a }\nenum Z { z }\n/*' + OUT_AND_BACK,
        'struct D {\n  x: E\n}\nstruct E {\n  a: int\n}\nenum Z { z }\n/*' + OUT_AND_BACK,
        'struct D {\n  x: E\n}\nstruct E {\n  a: int\n}\nenum Z { z }\n' + OUT_AND_BACK,
      ],
    ],
    // `weighted` keys: all case names are the pool for a misspelt key
    [
      'the set of case names',
      [
        base('dataset d: T {\n  count 1\n  vary t ~ weighted { free: 0.5, gold: 0.5 }\n  row = { a: "x" }\n}\n'),
        base('dataset d: T {\n  count 1\n  vary t ~ weighted { free: 0.5, gold: 0.5 }\n  row = { a: "x" }\n}\nenum Metal { golden }\n'),
        base('dataset d: T {\n  count 1\n  vary t ~ weighted { free: 0.5, gold: 0.5 }\n  row = { a: "x" }\n}\nenum Metal { gold }\n'),
        base('dataset d: T {\n  count 1\n  vary t ~ weighted { free: 0.5, gold: 0.5 }\n  row = { a: "x" }\n}\n'),
      ],
    ],
  ];
  for (const [title, texts] of scenarios) {
    it(`re-checks what read ${title}`, () => {
      expectSessionMatchesFresh('/virtual/shape.synth', texts, (fresh) => json(fresh.diagnostics) + json([...fresh.ctx.exprTypes.values()]));
    });
  }
});

/**
 * The constructs of models as values, loops, `match`, conversations and split files read other declarations
 * (a `using`'s model, a fallback chain, a prompt's `model`, an enum's cases through a `match`, the goal's split):
 * each scenario edits only the declaration read, and the reader's diagnostics must follow (the fuzz divergence
 * on examples/support-chat was the test client's, not one of these; they stay as the proof).
 */
describe('incremental check: what the LLM-workflow constructs read', () => {
  const models = (extra = '') => `model strong {\n  name "a"\n  provider openai${extra}\n}\nmodel cheap {\n  name "b"\n  provider openai\n}\n`;
  const prompt = (model = '') => `struct A {\n  text: string\n}\nprompt answer(q: string) -> A {\n${model}  user "{q}"\n}\n`;
  const ds = (body: string) => `dataset d: A {\n  count 2\n${body}  output "o.jsonl"\n}\n`;
  const scenarios: Array<[string, string[]]> = [
    [
      'a `using` of a vary over models, when a model is renamed',
      [
        models() + prompt() + ds('  vary m ~ one_of(strong, cheap)\n  row = answer("x") using m\n'),
        models().replace('model cheap', 'model cheaper') + prompt() + ds('  vary m ~ one_of(strong, cheap)\n  row = answer("x") using m\n'),
        models() + prompt() + ds('  vary m ~ one_of(strong, cheap)\n  row = answer("x") using m\n'),
      ],
    ],
    [
      'a call without `using`, when its prompt gains and loses a model',
      [
        models() + prompt() + ds('  row = answer("x")\n'),
        models() + prompt('  model strong\n') + ds('  row = answer("x")\n'),
        models() + prompt() + ds('  row = answer("x")\n'),
      ],
    ],
    [
      'a fallback chain, when the model it falls back to changes',
      [
        models('\n  fallback cheap') + prompt('  model strong\n') + ds('  row = answer("x")\n'),
        models('\n  fallback cheap').replace('model cheap {\n  name "b"', 'model cheap {\n  name "b"\n  fallback strong') + prompt('  model strong\n') + ds('  row = answer("x")\n'),
        models('\n  fallback cheap') + prompt('  model strong\n') + ds('  row = answer("x")\n'),
      ],
    ],
    [
      'a `match` on an enum, when the enum gains a case',
      [
        'enum Tier { free, pro }\n' + models() + prompt('  model strong\n') + ds('  vary t ~ uniform(Tier)\n  row = { text: match t { free: "f", pro: "p" } }\n'),
        'enum Tier { free, pro, gold }\n' + models() + prompt('  model strong\n') + ds('  vary t ~ uniform(Tier)\n  row = { text: match t { free: "f", pro: "p" } }\n'),
        'enum Tier { free, pro }\n' + models() + prompt('  model strong\n') + ds('  vary t ~ uniform(Tier)\n  row = { text: match t { free: "f", pro: "p" } }\n'),
      ],
    ],
    [
      'a `match` on a model, when a model it draws is renamed',
      [
        models() + prompt() + ds('  vary m ~ one_of(strong, cheap)\n  row = { text: match m { strong: "s", cheap: "c" } }\n'),
        models().replace('model cheap', 'model cheapo') + prompt() + ds('  vary m ~ one_of(strong, cheap)\n  row = { text: match m { strong: "s", cheap: "c" } }\n'),
        models() + prompt() + ds('  vary m ~ one_of(strong, cheap)\n  row = { text: match m { strong: "s", cheap: "c" } }\n'),
      ],
    ],
    [
      'a file per split, when the goal loses its split',
      [
        'goal "g" {\n  split { train: 0.8, test: 0.2 }\n}\n' + prompt('  model strong\n') + models() + ds('  row = { text: "x" }\n').replace('"o.jsonl"', '"o-{split}.jsonl"'),
        'goal "g" {\n  seed 1\n}\n' + prompt('  model strong\n') + models() + ds('  row = { text: "x" }\n').replace('"o.jsonl"', '"o-{split}.jsonl"'),
        'goal "g" {\n  split { train: 0.8, te-st: 0.2 }\n}\n' + prompt('  model strong\n') + models() + ds('  row = { text: "x" }\n').replace('"o.jsonl"', '"o-{split}.jsonl"'),
      ],
    ],
  ];
  for (const [title, texts] of scenarios) {
    it(`re-checks ${title}`, () => {
      // the scenario does change the diagnostics' codes (else it would prove nothing)
      expectSessionMatchesFresh('/virtual/llm.synth', texts, (fresh) => json(fresh.diagnostics.map((d) => d.code)));
    });
  }
});

/**
 * Checks each text of a scenario in one session and fresh: the session's result must equal a fresh check's at
 * every step, and the scenario must change what `fingerprint` sees of the fresh result (else it proves nothing).
 */
function expectSessionMatchesFresh(p: string, texts: readonly string[], fingerprint: (fresh: ReturnType<typeof checkProgram>) => string): void {
  const parser = new DocumentParser(p);
  const host: Host = { readFile: () => undefined, parse: (text) => parser.parse(text) };
  const session = new CheckSession();
  const seen = new Set<string>();
  for (const [step, text] of texts.entries()) {
    const program = loadProgram(p, host, text);
    const fresh = checkProgram(program);
    expect({ step, d: difference(checkProgram(program, { session }), fresh) }).toEqual({ step, d: undefined });
    seen.add(fingerprint(fresh));
  }
  expect(seen.size).toBeGreaterThan(1);
}

/**
 * Locality: an edit inside one declaration re-checks only it and what reads it. On a spec of independent copies of
 * the examples (each copy's names end in `_K`, nothing reads across copies), a whitespace edit inside any
 * declaration of copy K may re-check declarations of copy K only. A check that reads every declaration of a kind
 * by name (the output-clash check once did: 30 ms per edit on the 5,000-line bench spec) fails this.
 */
describe('incremental check: locality', () => {
  it('an edit inside a declaration re-checks only declarations of its own copy', () => {
    const p = '/virtual/copies.synth';
    let text = bigSpec(1200);
    const parser = new DocumentParser(p);
    const host: Host = { readFile: () => undefined, parse: (t) => parser.parse(t) };
    const session = new CheckSession();
    const check = () => checkProgram(loadProgram(p, host, text), { session });
    const named = (r: CheckResult) => r.program.files.get(p)!.ast.decls.filter((d): d is NamedDecl => d.kind !== 'Goal');
    let result = check();
    const copies = new Set(named(result).map((d) => /_(\d+)$/.exec(d.name.name)?.[1]));
    expect(copies.size).toBeGreaterThan(4);
    const rnd = mulberry32(2024);
    for (let step = 0; step < 40; step++) {
      const decls = named(result);
      const target = decls[Math.floor(rnd() * decls.length)]!;
      const copy = /_(\d+)$/.exec(target.name.name)?.[1];
      const stamps = new Map(decls.map((d) => [d.name.name, session.stampOf(d)]));
      // a space after the declaration's name: re-parsed, same meaning
      const at = target.name.span.end;
      text = text.slice(0, at) + ' ' + text.slice(at);
      result = check();
      const rechecked = named(result)
        .filter((d) => session.stampOf(d) !== stamps.get(d.name.name))
        .map((d) => d.name.name);
      expect(rechecked).toContain(target.name.name);
      expect({ step, edited: target.name.name, others: rechecked.filter((n) => /_(\d+)$/.exec(n)?.[1] !== copy) }).toEqual({ step, edited: target.name.name, others: [] });
    }
  });
});
