// synth.lock: every example ships a current lock (so the quick start leaves the git tree clean), and a run writes
// the lock only when its content changes.
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { lockPath, lockText, writeLock } from '../../runtime/lock.js';
import { exampleSpecs } from '../support/examples.js';

describe('synth.lock', () => {
  for (const spec of exampleSpecs()) {
    it(`${path.basename(spec)}: the committed lock is current (refresh with \`npm run locks\`)`, () => {
      const file = lockPath(spec);
      expect(existsSync(file), `${file} is missing`).toBe(true);
      const committed = readFileSync(file, 'utf8');
      expect(lockText(buildPlan(checkFile(spec)).plan, committed)).toBe(committed);
    });
  }

  it('is rewritten only when the plan changes or a new model name is reported, keeping names seen before', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-lock-'));
    const spec = path.join(dir, 's.synth');
    const src = (n: number) => `model m { name "gpt-x" api_key env("K") }
prompt p(a: string) -> string { model m  user "say {a}" }
dataset d { count ${n}  vary a ~ one_of("x", "y")  row = { t: p(a) } }
`;
    writeFileSync(spec, src(2));
    const plan = buildPlan(checkFile(spec)).plan;
    const file = writeLock(spec, plan, { m: ['gpt-x-2024'] });
    const first = readFileSync(file, 'utf8');
    const mtime = statSync(file).mtimeMs;
    writeLock(spec, plan, {});
    expect(statSync(file).mtimeMs).toBe(mtime);
    expect(readFileSync(file, 'utf8')).toBe(first);
    writeLock(spec, plan, { m: ['gpt-x-2025'] });
    expect(JSON.parse(readFileSync(file, 'utf8')).models.m.reported).toEqual(['gpt-x-2024', 'gpt-x-2025']);
    writeFileSync(spec, src(3));
    writeLock(spec, buildPlan(checkFile(spec)).plan, {});
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.plan).not.toBe(JSON.parse(first).plan);
    expect(after.models.m.reported).toEqual(['gpt-x-2024', 'gpt-x-2025']);
  });
});
