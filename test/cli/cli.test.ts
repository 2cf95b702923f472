import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synth } from '../support/cli.js';
import { exampleSpecs } from '../support/examples.js';

describe('synth CLI', () => {
  it('prints help and version', () => {
    const h = synth(['--help']);
    expect(h.code).toBe(0);
    for (const cmd of ['check', 'build', 'run', 'fmt', 'report', 'init']) expect(h.stdout).toContain(cmd);
    expect(synth(['run', '--help']).stdout).toContain('--dry-run');
    expect(synth(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('checks every example clean', () => {
    const r = synth(['check', ...exampleSpecs()]);
    expect(r.stderr).toContain('ok:');
    expect(r.code).toBe(0);
  });

  it('reports a missing file clearly, without a stack trace', () => {
    const r = synth(['check', 'no/such/file.synth']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('SYN1008');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('emits JSON diagnostics with 1-based positions', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-cli-'));
    const f = path.join(dir, 'bad.synth');
    writeFileSync(f, 'struct S {\n  x: strng\n}\n');
    const r = synth(['check', '--format', 'json', f]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.errors).toBe(1);
    expect(out.diagnostics[0]).toMatchObject({ code: 'SYN1001', start: { line: 2, column: 6 } });
    expect(out.diagnostics[0].message).toContain("did you mean 'string'");
  });

  it('init → check → run → report, and a failing expect exits 1', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-cli-'));
    expect(synth(['init', dir]).code).toBe(0);
    const spec = path.join(dir, 'spec.synth');
    expect(synth(['check', spec]).code).toBe(0);
    const run = synth(['run', spec]);
    expect(run.stderr).toContain('requests: 100 rows');
    expect(run.code).toBe(0);
    expect(existsSync(path.join(dir, 'synth.lock'))).toBe(true);
    expect(synth(['report', path.join(dir, 'out')]).code).toBe(0);
    // plant a failing expectation
    writeFileSync(spec, readFileSync(spec, 'utf8').replace('expect share(urgent) in 0.05..0.15', 'expect share(urgent) in 0.5..0.6'));
    const failed = synth(['run', spec]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/expect share\(urgent\) in 0\.5\.\.0\.6: FAIL \(measured 0\.\d+/);
    const manifest = JSON.parse(readFileSync(path.join(dir, 'out', 'requests.manifest.json'), 'utf8'));
    expect(manifest.status).toBe('failed-expectations');
  });

  it('formats with --check and --write', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-cli-'));
    const f = path.join(dir, 'a.synth');
    writeFileSync(f, 'enum   E {a,b}\n');
    expect(synth(['fmt', '--check', f]).code).toBe(1);
    expect(synth(['fmt', '--write', f]).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe('enum E { a, b }\n');
    expect(synth(['fmt', '--check', f]).code).toBe(0);
  });

  it('dry-run prints calls and cost without sending anything', () => {
    const tickets = exampleSpecs().find((s) => s.endsWith('tickets.synth'))!;
    const r = synth(['run', tickets, '--dry-run'], { env: { OPENAI_API_KEY: '' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tickets\s+5,000\s+5,000/);
    expect(r.stdout).toContain('$');
    // every model has a price: no advice to set one
    expect(r.stdout).not.toContain('price');
  });

  it('dry-run shows small amounts with significant digits and names the models without a price', () => {
    const docs = exampleSpecs().find((s) => s.endsWith('docs-qa.synth'))!;
    const r = synth(['run', docs, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/qa_pairs\s+6\s+6\s+[\d,]+\s+[\d,]+\s+\$0\.00\d\d\n/);
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-cli-'));
    const f = path.join(dir, 'a.synth');
    writeFileSync(
      f,
      `goal "g" { seed 1 }
model free { name "local" api_key env("K") }
model paid { name "gpt-test" api_key env("K") price { input: 1, output: 2 } }
struct R { a: string }
prompt p(x: string) -> string { model free user "{x}" }
prompt q(x: string) -> string { model paid user "{x}" }
dataset d: R { count 3 vary x ~ one_of("a") let v = p(x) let w = q(v) row = { a: w } output "out/d.jsonl" }
`,
    );
    const u = synth(['run', f, '--dry-run']);
    expect(u.code, u.stderr).toBe(0);
    expect(u.stdout).toMatch(/free\s+3 calls\s+\(no price\)/);
    expect(u.stdout).toContain('No price for free (`price { input: …, output: … }`)');
    expect(u.stdout).not.toMatch(/No price for [^\n]*paid/);
  });

  it('dry-run --format json prints the estimate per dataset and in total, calls per model', () => {
    const stablerep = exampleSpecs().find((s) => s.endsWith('stablerep.synth'))!;
    const r = synth(['run', stablerep, '--dry-run', '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(e).toMatchObject({ synth: 'estimate', spec: 'stablerep.synth', unpriced: [], uncounted: [] });
    expect(e.datasets).toHaveLength(1);
    expect(e.datasets[0]).toMatchObject({ name: 'stablerep', rows: 200, calls: 400, images: 800, models: { writer: { calls: 200 }, painter: { calls: 200, images: 800 } } });
    expect(e.datasets[0].tokens.prompt).toBeGreaterThan(0);
    expect(e.total).toMatchObject({ rows: 200, calls: 400, images: 800, cost_usd: e.datasets[0].cost_usd });
    expect(e.total.cost_usd).toBeCloseTo(200 * 4 * 0.011 + e.datasets[0].models.writer.cost_usd, 6);
    // the text table shows the same figures
    const t = synth(['run', stablerep, '--dry-run']);
    expect(t.stdout).toMatch(new RegExp(`stablerep\\s+200\\s+400\\s+${e.total.tokens.prompt.toLocaleString('en-US')}\\s+${e.total.tokens.completion.toLocaleString('en-US')}\\s+800\\s+\\$8\\.81`));
  });

  it('run options are checked before anything runs (the whole table: test/cli/mistakes.test.ts)', () => {
    const tickets = exampleSpecs().find((s) => s.endsWith('tickets.synth'))!;
    const json = synth(['run', tickets, '--format', 'json'], { env: { OPENAI_API_KEY: '' } });
    expect(json.code).toBe(1);
    expect(json.stderr).toContain('error SYN4110: --format json works only with --dry-run');
    for (const bad of ['abc', '-1', '']) {
      const b = synth(['run', tickets, '--budget', bad], { env: { OPENAI_API_KEY: '' } });
      expect(b.code, bad).toBe(1);
      expect(b.stderr).toContain(`error SYN4101: --budget takes an amount of USD of at least 0, e.g. 5 or 0.50, not '${bad}'`);
      expect(b.stderr).not.toContain('internal error');
    }
    const unknown = synth(['run', tickets, '--dry-run', '-d', 'nope']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("error SYN4106: --dataset nope: the spec has no dataset of that name (one of: tickets)");
  });
});
