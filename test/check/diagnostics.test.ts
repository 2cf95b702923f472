// One fixture per diagnostic code the parser and checker produce (test/fixtures/check/codes/SYNxxxx*.synth),
// with the expected diagnostics marked inline (see annotations.ts; UPDATE=1 rewrites them). Plus: every
// diagnostic is well-formed, every registry code is covered or listed below with the reason it is not, the
// examples check clean, and the five-mistakes fixture gives exactly its five errors through the CLI.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile, checkProgram } from '../../compiler/check.js';
import { loadProgram } from '../../compiler/program.js';
import { DIAGNOSTICS, type Diagnostic } from '../../base/diagnostics.js';
import { exampleSpecs, ROOT } from '../support/examples.js';
import { checkInMemory } from '../support/synth.js';
import { actualOf, key, readAnnotations, rewriteAnnotations } from './annotations.js';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'check', 'codes');
const UPDATE = process.env['UPDATE'] === '1';

/** Codes in SYN0xxx–SYN4xxx that no fixture triggers, and why. Everything else must have a fixture. */
const NOT_FROM_CHECKER: Record<string, string> = {
  SYN1006: 'reserved: the checker does not report unused declarations yet',
  SYN1008: 'a missing entry file: a fixture always exists (tested below)',
  SYN4002: 'raised by `synth run`/`build` when an output path leaves the project (runtime/run-plan.ts), not by the checker',
  ...Object.fromEntries(
    ['SYN4101', 'SYN4102', 'SYN4103', 'SYN4104', 'SYN4105', 'SYN4106', 'SYN4107', 'SYN4108', 'SYN4109', 'SYN4110', 'SYN4111', 'SYN4112', 'SYN4113'].map((c) => [c, 'the command line (cli/): test/cli/mistakes.test.ts holds each to its exit code']),
  ),
};

const fixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.synth'))
  .sort();

function wellFormed(d: Diagnostic, text: string | undefined): void {
  expect(DIAGNOSTICS[d.code], d.code).toBeDefined();
  expect(d.severity).toBe(DIAGNOSTICS[d.code].severity);
  expect(d.message.length, `${d.code} has a message`).toBeGreaterThan(0);
  expect(d.message).not.toMatch(/undefined|\[object|\{\w+\}/);
  // NaN in a message is a formatting bug, except where a constant being NaN is the subject
  if (d.code !== 'SYN3028' && d.code !== 'SYN3036') expect(d.message).not.toMatch(/NaN/);
  expect(d.span.start).toBeGreaterThanOrEqual(0);
  expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
  if (text !== undefined) expect(d.span.end).toBeLessThanOrEqual(text.length);
}

describe('diagnostic fixtures', () => {
  it.each(fixtures)('%s', (name) => {
    const file = path.join(FIXTURES, name);
    // `checkFile` must not throw: a crash is never an acceptable diagnostic.
    const res = checkFile(file);
    for (const [p, src] of res.program.files) {
      const ds = res.diagnostics.filter((d) => d.file === p);
      for (const d of ds) wellFormed(d, src.text);
      const actual = actualOf(ds, src.text);
      if (UPDATE) {
        const next = rewriteAnnotations(src.text, actual);
        if (next !== src.text) writeFileSync(p, next);
        continue;
      }
      expect(actual.map(key), path.relative(ROOT, p)).toEqual(readAnnotations(src.text).map(key));
    }
    // The fixture named for a code must produce it.
    const code = name.slice(0, 7);
    expect(res.diagnostics.map((d) => d.code)).toContain(code);
  });

  it('covers every parser/checker code in the registry', () => {
    const covered = new Set<string>();
    const support = readdirSync(path.join(FIXTURES, 'support')).map((f) => path.join('support', f));
    for (const name of [...fixtures, ...support]) {
      for (const a of readAnnotations(readFileSync(path.join(FIXTURES, name), 'utf8'))) covered.add(a.code);
    }
    const missing = Object.keys(DIAGNOSTICS).filter((c) => /^SYN[0-4]/.test(c) && !covered.has(c) && !(c in NOT_FROM_CHECKER));
    expect(missing).toEqual([]);
    for (const c of Object.keys(NOT_FROM_CHECKER)) expect(DIAGNOSTICS).toHaveProperty(c);
  });
});

describe('recovery', () => {
  it('reports errors in later declarations after a syntax error', () => {
    const text = 'struct A { x int }\nstruct B { y: strng }\nenum C { a, a }\n';
    const res = checkInMemory(text);
    expect(res.diagnostics.map((d) => d.code)).toEqual(['SYN0001', 'SYN1001', 'SYN1009']);
  });

  // Shrunk from the fuzz (FUZZ_SEED=1592598564 case 6361): an index whose `]` recovery inserted at the end of the
  // text gave an expression span one past the text; an index's span now ends at its real `]` or at the index.
  it('an unclosed index at the end of the text keeps every span inside the text', () => {
    for (const text of ['source t: S = a[x', 'source t: S = a[[', 'source t: S = table("t.csv")\n[\n[\nexpect\nx']) {
      const res = checkProgram(loadProgram('/mem/a.synth', { readFile: () => undefined }, text));
      expect(res.diagnostics.map((d) => d.code)).toContain('SYN2022');
      expect(res.diagnostics.map((d) => d.code)).not.toContain('SYN3052');
      for (const d of res.diagnostics) expect(d.span.end, `${d.code} in ${JSON.stringify(text)}`).toBeLessThanOrEqual(text.length);
    }
    const closed = 'source t: S = a[b[1]] .x';
    const res = checkProgram(loadProgram('/mem/a.synth', { readFile: () => undefined }, closed));
    expect(res.diagnostics.find((d) => d.code === 'SYN2022')?.span).toEqual({ start: 14, end: closed.length });
  });

  it('reports deep nesting as a syntax error instead of overflowing the stack', () => {
    const text = `dataset d {\n  count 1\n  row = {}\n  check ${'('.repeat(5000)}true${')'.repeat(5000)}\n}\n`;
    const res = checkInMemory(text);
    expect(res.diagnostics[0]).toMatchObject({ code: 'SYN0008' });
    expect(res.diagnostics[0]!.message).toContain('nesting too deep');
  });
});

describe('examples and the CLI', () => {
  it.each(exampleSpecs().map((p) => path.relative(ROOT, p)))('%s checks clean', (rel) => {
    const res = checkFile(path.join(ROOT, rel));
    expect(res.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'cli', 'main.ts'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });

  it('`synth check` passes every example (exit 0)', () => {
    const r = cli(['check', ...exampleSpecs()]);
    expect(r.stderr).toContain('ok:');
    expect(r.status).toBe(0);
  });

  it('`synth check` gives exactly the five mistakes of five-mistakes.synth', () => {
    const r = cli(['check', '--format', 'json', 'test/fixtures/check/five-mistakes.synth']);
    expect(r.status).toBe(1);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    const out = JSON.parse(r.stdout) as { errors: number; diagnostics: Array<{ code: string; start: { line: number } }> };
    expect(out.errors).toBe(5);
    expect(out.diagnostics.map((d) => [d.code, d.start.line])).toEqual([
      ['SYN3001', 3],
      ['SYN2004', 10],
      ['SYN2002', 20],
      ['SYN1001', 25],
      ['SYN0001', 27],
    ]);
    const text = cli(['check', 'test/fixtures/check/five-mistakes.synth']);
    expect(text.status).toBe(1);
    expect(text.stderr).toContain('5 errors');
    expect(text.stderr).not.toMatch(/\n\s+at /);
  });
});
