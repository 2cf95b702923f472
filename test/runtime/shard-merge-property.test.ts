// Seeded property: for random small parent → child specs (a `count` parent, a child that reads it with `for`, each
// side with or without `@unique` fields, `each`, `where`, a child `count`), `synth run --shard i/n` for every i and
// `synth merge` give exactly one unsharded run's bytes, for n = 1 … 4 (docs/language.md, "Shards stay exact").
// A merge may refuse (SYN5109/SYN5041: a shard's margin did not suffice), never write other rows.
// Shrunk failures are kept in REGRESSIONS.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { mergeShards } from '../../runtime/merge.js';
import { verifyOutputs } from '../../runtime/verify.js';
import { run } from '../../runtime/run/run-plan.js';
import { SynthError } from '../../base/diagnostics.js';
import { mulberry32, type Rng } from '../support/prng.js';

interface Case {
  seed: number;
  parentCount: number;
  /** randint(1, idRange) for the parent's `id`, `b` */
  idRange: number;
  bRange: number;
  uniqueId: boolean;
  uniqueB: boolean;
  /** `check b > …` on the parent, or none */
  parentCheck: number | null;
  each: string | null;
  where: number | null;
  childCount: number | null;
  /** the child's `oid` is one_of this many letters */
  letters: number;
  uniqueOid: boolean;
  uniqueN: boolean;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz';

function specOf(c: Case): string {
  const letters = [...ALPHABET.slice(0, c.letters)].map((l) => `"${l}"`).join(', ');
  return `goal "p" { seed ${c.seed} }
struct P { id: int${c.uniqueId ? ' @unique' : ''}, b: int${c.uniqueB ? ' @unique' : ''} }
struct O { cid: int, n: int${c.uniqueN ? ' @unique' : ''}, oid: string${c.uniqueOid ? ' @unique' : ''} }
dataset ps: P {
  count ${c.parentCount}
  vary id ~ randint(1, ${c.idRange})
  vary b ~ randint(1, ${c.bRange})
  row = { id: id, b: b }
${c.parentCheck !== null ? `  check row.b > ${c.parentCheck}\n` : ''}  output "out/ps.jsonl"
}
dataset os: O {
  for p in ps${c.each !== null ? ` each ${c.each}` : ''}${c.where !== null ? ` where p.b > ${c.where}` : ''}
${c.childCount !== null ? `  count ${c.childCount}\n` : ''}  vary n ~ randint(1, 6)
  vary oid ~ one_of(${letters})
  row = { cid: p.id, n: n, oid: oid }
  output "out/os.jsonl"
}
`;
}

function randomCase(rand: Rng): Case {
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T,>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const parentCount = int(2, 24);
  return {
    seed: int(1, 1000),
    parentCount,
    idRange: parentCount * int(2, 4),
    bRange: parentCount * int(2, 4),
    uniqueId: rand() < 0.6,
    uniqueB: rand() < 0.4,
    parentCheck: rand() < 0.3 ? int(1, parentCount) : null,
    each: pick([null, '2', 'randint(1, 4)', 'one_of(0, 1, 3)', 'randint(0, 2)']),
    where: rand() < 0.3 ? int(1, parentCount * 2) : null,
    childCount: rand() < 0.3 ? int(1, parentCount * 2) : null,
    letters: int(2, 26),
    uniqueOid: rand() < 0.6,
    uniqueN: rand() < 0.3,
  };
}

/** How often the property was really tested: merges compared, merges refused, cases whose one run was short. */
const tally = { compared: 0, refused: 0, short: 0 };

/** Runs `c` whole and in 1 … 4 shards; the first shard count whose merge differs from the whole run, or null. */
async function mismatch(c: Case): Promise<string | null> {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-shardprop-'));
  try {
    writeFileSync(path.join(dir, 's.synth'), specOf(c));
    const res = checkFile(path.join(dir, 's.synth'));
    const errors = res.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) return `spec refused: ${errors.map((d) => d.message).join('; ')}`;
    const plan = buildPlan(res).plan;
    const whole = await run(plan, { projectRoot: dir, outDir: path.join(dir, 'whole') });
    if (whole.incomplete.length) {
      tally.short++;
      return null; // a short dataset is not what this property is about
    }
    for (let n = 1; n <= 4; n++) {
      const dirs: string[] = [];
      for (let i = 0; i < n; i++) {
        const d = path.join(dir, `n${n}-s${i}`);
        dirs.push(d);
        // a shard may end short of its margin (tight @unique values): the merge says whether it sufficed
        await run(plan, { projectRoot: dir, outDir: d, shard: { index: i, count: n } });
      }
      let merged;
      try {
        merged = await mergeShards(dirs, path.join(dir, `m${n}`));
      } catch (e) {
        if (e instanceof SynthError && (e.code === 'SYN5109' || e.code === 'SYN5041')) {
          tally.refused++;
          continue; // an honest refusal
        }
        throw e;
      }
      for (const r of merged) {
        const want = readFileSync(path.join(dir, 'whole', path.basename(r.output)), 'utf8');
        const got = readFileSync(r.output, 'utf8');
        if (got !== want) return `${r.dataset}, ${n} shards:\n--- one run\n${want}--- merged\n${got}`;
      }
      // and the merge's manifest vouches for the merged files (it carried shard 0's file entry before); a dataset
      // the shards could not fill is rightly reported incomplete (SYN5026), which is not this property
      const unverified = (await verifyOutputs(path.join(dir, `m${n}`))).filter((f) => !f.ok && f.code !== 'SYN5026');
      if (unverified.length) return `${n} shards: synth verify of the merge: ${unverified.map((f) => f.message).join('; ')}`;
      tally.compared++;
    }
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Smaller variants of a failing case, simplest first. */
function shrinks(c: Case): Case[] {
  const out: Case[] = [];
  if (c.parentCount > 2) out.push({ ...c, parentCount: Math.max(2, Math.floor(c.parentCount / 2)), idRange: Math.max(4, Math.floor(c.idRange / 2)), bRange: Math.max(4, Math.floor(c.bRange / 2)) });
  if (c.parentCount > 2) out.push({ ...c, parentCount: c.parentCount - 1 });
  if (c.parentCheck !== null) out.push({ ...c, parentCheck: null });
  if (c.where !== null) out.push({ ...c, where: null });
  if (c.childCount !== null) out.push({ ...c, childCount: null });
  if (c.each !== null) out.push({ ...c, each: null });
  if (c.uniqueB) out.push({ ...c, uniqueB: false });
  if (c.uniqueN) out.push({ ...c, uniqueN: false });
  if (c.letters > 2) out.push({ ...c, letters: c.letters - 1 });
  return out;
}

async function shrink(c: Case): Promise<Case> {
  let cur = c;
  for (let step = 0; step < 60; step++) {
    let next: Case | undefined;
    for (const s of shrinks(cur)) if ((await mismatch(s)) !== null) { next = s; break; }
    if (!next) return cur;
    cur = next;
  }
  return cur;
}

// Shrunk failures found by the property below, kept as regression cases.
const REGRESSIONS: Case[] = [
  // the child's oid @unique: a shard dropped a kept parent's order as a duplicate of a dropped parent's
  { seed: 110, parentCount: 5, idRange: 52, bRange: 52, uniqueId: true, uniqueB: false, parentCheck: null, each: null, where: null, childCount: null, letters: 9, uniqueOid: true, uniqueN: false },
];

describe('--shard + merge equals one run, byte for byte (seeded property)', () => {
  it('the adversarial pass\u2019s case: a @unique parent and a @unique child (adv14 item 2)', async () => {
    const c: Case = { seed: 5, parentCount: 40, idRange: 60, bRange: 1000, uniqueId: true, uniqueB: false, parentCheck: null, each: 'randint(1, 4)', where: null, childCount: null, letters: 26, uniqueOid: true, uniqueN: false };
    expect(await mismatch(c)).toBeNull();
  });

  for (const [k, c] of REGRESSIONS.entries()) {
    it(`regression ${k}: ${JSON.stringify(c)}`, async () => {
      expect(await mismatch(c)).toBeNull();
    });
  }

  it('random parent/child specs, 1 to 4 shards', async () => {
    const rand = mulberry32(0x5a4d);
    for (let k = 0; k < 30; k++) {
      const c = randomCase(rand);
      const bad = await mismatch(c);
      if (bad !== null) {
        const small = await shrink(c);
        expect.fail(`case ${k} differs; shrunk: ${JSON.stringify(small)}\n${specOf(small)}\n${await mismatch(small)}`);
      }
    }
    // the property was tested, not skipped: most merges compared
    console.log('shard property:', tally);
    expect(tally.compared).toBeGreaterThan(3 * (tally.refused + tally.short));
  }, 600_000);
});
