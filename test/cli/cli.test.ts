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
  });
});
