// Files a user owns are never left half-written: `synth fmt --write` and synth.lock go through a temp file and a
// rename, so a full disk leaves the old file whole and says so with SYN5023 (no stack trace, no "internal error").
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it, type TestContext } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { writeLock } from '../../runtime/lock.js';
import { synth } from '../support/cli.js';

/** A spec long enough that rewriting it cannot fit in the space left. */
const UGLY = `goal "g" { seed 1 }\n` + Array.from({ length: 400 }, (_, i) => `enum E${i}{a,b,   c}`).join('\n') + '\n';

/** Mounts a tiny tmpfs for the test (root only), or skips with the reason. */
function tinyDisk(ctx: TestContext): { dir: string; fill: () => void; done: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    ctx.skip('mounting a tmpfs needs root (CAP_SYS_ADMIN)');
  }
  return {
    dir,
    // Fill what is left, so the next write of any size fails with ENOSPC.
    fill: () => {
      try {
        execFileSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'ballast')}`, 'bs=1k', 'count=1000'], { stdio: 'ignore' });
      } catch {
        // dd stops with ENOSPC once the disk is full: that is the point
      }
    },
    done: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('atomic writes of user files', () => {
  it('fmt --write on a full disk leaves the spec whole, exit 2 with SYN5023', (ctx) => {
    const disk = tinyDisk(ctx);
    try {
      const spec = path.join(disk.dir, 's.synth');
      writeFileSync(spec, UGLY);
      disk.fill();
      const r = synth(['fmt', '--write', spec]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error SYN5023: cannot write .*s\.synth: no space left on the device \(ENOSPC\)/);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(readFileSync(spec, 'utf8')).toBe(UGLY);
      expect(readdirSync(disk.dir).filter((f) => f.includes('.tmp'))).toEqual([]);
    } finally {
      disk.done();
    }
  });

  it('fmt --write keeps the file mode and writes through a symlink to its target', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-fmt-mode-'));
    mkdirSync(path.join(dir, 'real'));
    const target = path.join(dir, 'real', 's.synth');
    writeFileSync(target, UGLY, { mode: 0o640 });
    symlinkSync(target, path.join(dir, 'link.synth'));
    expect(synth(['fmt', '--write', path.join(dir, 'link.synth')]).code).toBe(0);
    expect(statSync(path.join(dir, 'link.synth'), { throwIfNoEntry: true }).isFile()).toBe(true);
    expect(readFileSync(target, 'utf8')).not.toBe(UGLY);
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(synth(['fmt', '--check', target]).code).toBe(0);
  });

  it('synth.lock on a full disk: SYN5023 and the old lock whole; a folder in its place is SYN5023 too', (ctx) => {
    const disk = tinyDisk(ctx);
    try {
      const spec = path.join(disk.dir, 's.synth');
      writeFileSync(spec, 'goal "g" { seed 1 }\ndataset d { count 2  vary a ~ randint(1, 9)  row = { a: a } }\n');
      const plan = buildPlan(checkFile(spec)).plan;
      writeLock(spec, plan);
      const before = readFileSync(path.join(disk.dir, 'synth.lock'), 'utf8');
      disk.fill();
      writeFileSync(spec, 'goal "g" { seed 2 }\ndataset d { count 2  vary a ~ randint(1, 9)  row = { a: a } }\n');
      expect(() => writeLock(spec, buildPlan(checkFile(spec)).plan)).toThrow(/SYN5023|cannot write .*synth\.lock: no space left/);
      expect(readFileSync(path.join(disk.dir, 'synth.lock'), 'utf8')).toBe(before);
    } finally {
      disk.done();
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'synth-lock-dir-'));
    const spec = path.join(dir, 's.synth');
    writeFileSync(spec, 'goal "g" { seed 1 }\ndataset d { count 2  vary a ~ randint(1, 9)  row = { a: a } }\n');
    mkdirSync(path.join(dir, 'synth.lock'));
    expect(() => writeLock(spec, buildPlan(checkFile(spec)).plan)).toThrow(/cannot write .*synth\.lock/);
  });
});
