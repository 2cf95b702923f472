// synth.lock: every example ships a current lock (so the quick start leaves the git tree clean), and a run writes
// the lock only when its content changes.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { lockEntries, lockPath, lockText, writeLock } from '../../runtime/lock.js';
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

  it('two specs in one folder keep each other\'s entries (adv17 #4); a run of either leaves the other\'s pins alone', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-lock-two-'));
    const src = (model: string, n: number) => `model m { name "${model}" api_key env("K") }
prompt p(a: string) -> string { model m  user "say {a}" }
dataset d { count ${n}  vary a ~ one_of("x", "y")  row = { t: p(a) } }
`;
    const t = path.join(dir, 't.synth');
    const k = path.join(dir, 'k.synth');
    writeFileSync(t, src('gpt-t', 2));
    writeFileSync(k, src('gpt-k', 3));
    const planT = buildPlan(checkFile(t)).plan;
    const planK = buildPlan(checkFile(k)).plan;
    const file = writeLock(t, planT, { m: ['gpt-t-2024'] });
    // one spec so far: today's single-spec form, byte for byte
    const single = readFileSync(file, 'utf8');
    expect(single).toBe(lockText(planT, undefined, { m: ['gpt-t-2024'] }));
    expect(JSON.parse(single).spec).toBe('t.synth');
    writeLock(k, planK, { m: ['gpt-k-2025'] });
    const both = readFileSync(file, 'utf8');
    const lock = JSON.parse(both);
    expect(Object.keys(lock.specs)).toEqual(['k.synth', 't.synth']);
    expect(lock.specs['t.synth']).toEqual(JSON.parse(single));
    expect(lock.specs['k.synth'].models.m.reported).toEqual(['gpt-k-2025']);
    expect(lock.specs['k.synth'].plan).toBe(planK.hash);
    // reruns of either, in any order, leave the bytes (and the modification time) alone
    const mtime = statSync(file).mtimeMs;
    for (const [spec, plan] of [[t, planT], [k, planK], [t, planT]] as const) writeLock(spec, plan, {});
    expect(readFileSync(file, 'utf8')).toBe(both);
    expect(statSync(file).mtimeMs).toBe(mtime);
    // a new name reported for t keeps t's older names and k's entry
    writeLock(t, planT, { m: ['gpt-t-2025'] });
    const after = JSON.parse(readFileSync(file, 'utf8'));
    expect(after.specs['t.synth'].models.m.reported).toEqual(['gpt-t-2024', 'gpt-t-2025']);
    expect(after.specs['k.synth']).toEqual(lock.specs['k.synth']);
    // a spec removed from the folder: its entry goes at the next run of another, back to the single-spec form
    rmSync(k);
    writeLock(t, planT, {});
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ...after.specs['t.synth'] });
  });

  it('reads both forms, and an unreadable lock as empty', () => {
    expect(lockEntries(undefined)).toEqual({});
    expect(lockEntries('{oops')).toEqual({});
    expect(lockEntries('[1]')).toEqual({});
    expect(lockEntries('{"synth":"lock","spec":"a.synth","plan":"1"}')).toEqual({ 'a.synth': { synth: 'lock', spec: 'a.synth', plan: '1' } });
    expect(lockEntries('{"synth":"lock","specs":{"a.synth":{"plan":"1"},"b.synth":{"plan":"2"},"c":3}}')).toEqual({ 'a.synth': { plan: '1' }, 'b.synth': { plan: '2' } });
    // a hostile key is an entry like any other, not the object's prototype
    const odd = lockEntries('{"synth":"lock","specs":{"__proto__":{"plan":"x"},"toString":{"plan":"y"}}}');
    expect(Object.keys(odd)).toEqual(['__proto__', 'toString']);
    expect(Object.getPrototypeOf(odd)).toBe(Object.prototype);
  });
});
