// `synth build` writes its plan like every file a user keeps: atomically, with coded errors, no stale modules.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synth } from '../support/cli.js';
import { ROOT } from '../support/examples.js';

describe('synth build output', () => {
  it('a file where the output folder should be (or above it): one coded line (a user mistake, exit 1), no stack trace', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-build-'));
    writeFileSync(path.join(dir, 'file'), 'x');
    for (const out of [path.join(dir, 'file'), path.join(dir, 'file', 'plan')]) {
      const r = synth(['build', path.join(ROOT, 'examples/traffic/traffic.synth'), '-o', out]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(/^error SYN4107: '.*file' \(-o\) is a file, not a folder$/);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    }
  });

  it('writes plan.json and the WGSL modules, and removes modules of sims no longer in the spec', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-build-'));
    const out = path.join(dir, 'plan');
    mkdirSync(path.join(out, 'sims', 'gone'), { recursive: true });
    writeFileSync(path.join(out, 'sims', 'gone', 'gone.wgsl'), 'stale');
    const r = synth(['build', path.join(ROOT, 'examples/traffic/traffic.synth'), '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(out, 'plan.json'), 'utf8')).synth).toBe('plan');
    expect(readFileSync(path.join(out, 'sims', 'traffic', 'traffic.wgsl'), 'utf8')).toContain('@compute');
    expect(existsSync(path.join(out, 'sims', 'gone'))).toBe(false);
  });
});
