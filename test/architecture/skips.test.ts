// A test that needs something the machine may lack is skipped with its reason through vitest (`ctx.skip(note)`,
// test/support/skip.ts), never returns early and counts as passed. This walks every test file for the patterns
// that pass by returning: a capability probe followed by `return`, and `ctx.skip()` without a reason.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/examples.js';

function testFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) testFiles(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** `webgpuOrSkip(…)`-style helpers, or `if (!CHROMIUM) return;`, `if (!(await hasWebGpu())) return;`, `if (!E2E) return;` */
export const EARLY_RETURN = /OrSkip\(|if \(!?\(?(await )?(has[A-Z]\w*\(\)|CHROMIUM|E2E|process\.env\[[^\]]*\])\)?\)\s*return\b/;

const SELF = path.join('test', 'architecture', 'skips.test.ts');

describe('tests that cannot pass by skipping', () => {
  const files = testFiles(path.join(ROOT, 'test')).filter((f) => path.relative(ROOT, f) !== SELF);

  it('no test returns early after a capability check', () => {
    const bad: string[] = [];
    for (const f of files) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (EARLY_RETURN.test(line)) bad.push(`${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(bad).toEqual([]);
  });

  it('the pattern finds the early returns it is for', () => {
    for (const l of ["if (!(await webgpuOrSkip('x'))) return;", 'if (!CHROMIUM) return;', 'if (!(await hasWebGpu())) return;', "if (!process.env['SYNTH_E2E_VSCODE']) return;", 'if (!E2E) return;']) expect(EARLY_RETURN.test(l), l).toBe(true);
    for (const l of ["await needWebGpu(ctx, 'x');", "if (!r.path.startsWith('/v1/images') || !victim) return;", 'if (!CHROMIUM) skipOrFail(ctx, why);']) expect(EARLY_RETURN.test(l), l).toBe(false);
  });

  it('every ctx.skip gives its reason', () => {
    const bad: string[] = [];
    for (const f of files) {
      readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/\bctx\.skip\(\s*\)/.test(line)) bad.push(`${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(bad).toEqual([]);
  });
});
