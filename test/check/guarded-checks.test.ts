// Checks run guarded (compiler/check/registry.ts): a check that throws — a bug in Synth — becomes SYN9001 at the
// node it was checking, the node's other checks and the rest of the program are still checked, and checkProgram
// never throws. Proved by a unit test of the registry and by injecting a failure at every point the checker reads
// the symbol table, over every example and fixture.
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type * as A from '../../grammar/ast.js';
import { checkFile, checkProgram } from '../../compiler/check.js';
import { CheckContext } from '../../compiler/check/context.js';
import { CheckRegistry } from '../../compiler/check/registry.js';
import { CheckSession } from '../../compiler/check/session.js';
import { loadProgram, type Program } from '../../compiler/program.js';
import { SymbolTable } from '../../compiler/symbols.js';
import { exampleSpecs, ROOT } from '../support/examples.js';
import { mulberry32 } from '../support/prng.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'check', 'codes');

function programOf(text: string): Program {
  return loadProgram('/mem/a.synth', { readFile: () => undefined }, text);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CheckRegistry', () => {
  it('runs the checks of a kind in order; one that throws becomes SYN9001 at the node and the next still runs', () => {
    const program = programOf('enum Tier { free, pro }\n');
    const ctx = new CheckContext(program, new SymbolTable());
    ctx.file = program.entry;
    const ran: string[] = [];
    const reg = new CheckRegistry<A.Decl, CheckContext>((d) => `the ${d.kind}`)
      .register('Enum', 'first', () => ran.push('first'))
      .register('Enum', 'broken', () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      })
      .register('Enum', 'third', () => ran.push('third'))
      .register('Struct', 'other kind', () => ran.push('struct'));
    const decl = program.files.get(program.entry)!.ast.decls[0]!;
    reg.run(decl, ctx, ctx);
    expect(ran).toEqual(['first', 'third']);
    expect(reg.checksOf('Enum')).toEqual(['first', 'broken', 'third']);
    expect(ctx.diagnostics).toHaveLength(1);
    const d = ctx.diagnostics[0]!;
    expect(d).toMatchObject({ code: 'SYN9001', severity: 'error', file: program.entry });
    // at the enum's name, not the whole declaration
    expect(d.span).toEqual((decl as A.EnumDecl).name.span);
    expect(d.message).toContain('the Enum (broken: TypeError: Cannot read properties of undefined');
    expect(d.message).toContain('this is a bug in Synth, not in your spec');
  });

  it('names a thrown non-Error without printing `undefined`', () => {
    const program = programOf('goal "g" {}\n');
    const ctx = new CheckContext(program, new SymbolTable());
    const reg = new CheckRegistry<A.Decl, CheckContext>(() => 'goal').register('Goal', 'odd', () => {
      throw undefined;
    });
    reg.run(program.files.get(program.entry)!.ast.decls[0]!, ctx, ctx);
    expect(ctx.diagnostics[0]!.message).toContain('odd: a thrown undefined');
  });
});

describe('a failing check never crashes checkProgram', () => {
  const specs = [
    ...exampleSpecs(),
    ...readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.synth'))
      .map((f) => path.join(FIXTURES, f)),
  ];

  it('a lookup that throws on its k-th call: one SYN9001 inside the declaration being checked (seeded, every spec)', () => {
    const rnd = mulberry32(16);
    const realGet = SymbolTable.prototype.get;
    for (const spec of specs) {
      const text = readFileSync(spec, 'utf8');
      let calls = 0;
      const spy = vi.spyOn(SymbolTable.prototype, 'get').mockImplementation(function (this: SymbolTable, name: string) {
        calls++;
        return realGet.call(this, name);
      });
      checkFile(spec, undefined, text);
      const total = calls;
      spy.mockRestore();
      if (total === 0) continue;
      for (let i = 0; i < 3; i++) {
        const k = 1 + Math.floor(rnd() * total);
        let n = 0;
        vi.spyOn(SymbolTable.prototype, 'get').mockImplementation(function (this: SymbolTable, name: string) {
          if (++n === k) throw new Error(`injected failure ${k}`);
          return realGet.call(this, name);
        });
        const res = checkFile(spec, undefined, text);
        vi.restoreAllMocks();
        const bugs = res.diagnostics.filter((d) => d.code === 'SYN9001');
        expect(bugs, `${path.relative(ROOT, spec)} k=${k}`).toHaveLength(1);
        expect(bugs[0]!.message).toContain(`injected failure ${k}`);
        // it points into a declaration of its file (a failure may cost diagnostics that depended on the failed
        // check, e.g. a variable it did not get to declare; it never costs the program its other checks)
        const decls = res.program.files.get(bugs[0]!.file)!.ast.decls;
        expect(decls.some((d) => d.span.start <= bugs[0]!.span.start && bugs[0]!.span.end <= d.span.end)).toBe(true);
      }
    }
  });

  it('with an incremental session too, and the next clean check recovers once the declaration changes', () => {
    const text = 'enum Tier { free, pro }\nstruct T { tier: Tier }\ndataset d: T {\n  count 1\n  vary tier ~ uniform(Tier)\n  row = { tier: tier }\n  output "out/d.jsonl"\n}\n';
    const session = new CheckSession();
    vi.spyOn(SymbolTable.prototype, 'namePool').mockImplementation(() => {
      throw new RangeError('injected');
    });
    const typo = text.replace('uniform(Tier)', 'uniform(Tierr)');
    const broken = checkProgram(programOf(typo), { session });
    // the `vary` clause failed (its variable stays undeclared, so `row` reports it); the other clauses still ran
    expect(broken.diagnostics.map((d) => d.code)).toEqual(['SYN9001', 'SYN1001']);
    expect(broken.diagnostics[0]!.message).toContain('`vary` clause (vary: RangeError: injected)');
    vi.restoreAllMocks();
    const fixed = checkProgram(programOf(text), { session });
    expect(fixed.diagnostics).toEqual([]);
    expect(checkProgram(programOf(typo), { session }).diagnostics.map((d) => d.code)).toEqual(['SYN1001']);
  });
});

describe('SYN1008', () => {
  it('a missing entry file is a diagnostic, not an exception', () => {
    const res = checkFile(path.join(ROOT, 'no', 'such', 'spec.synth'));
    expect(res.diagnostics).toHaveLength(1);
    expect(res.diagnostics[0]).toMatchObject({ code: 'SYN1008', severity: 'error' });
    expect(res.diagnostics[0]!.message).toBe(`file '${path.join(ROOT, 'no', 'such', 'spec.synth')}' does not exist`);
  });
});
