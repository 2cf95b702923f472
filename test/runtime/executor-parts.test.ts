// The dataset executor's parts, each on its own: the journal (integrity on reopen), provenance (what makes a row
// reusable), the ordered writer (index order, holes, stops, never more rows than needed), outcome accounting,
// the last check on row values, and row production.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { EvalError, evaluate } from '../../compiler/plan/eval.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import type { DatasetStage } from '../../compiler/plan/schema.js';
import { showExpr } from '../../compiler/plan/show-expr.js';
import { decodeRecord, encodeRecord, Journal, type JournalRecord } from '../../runtime/dataset/journal.js';
import { writeInOrder, type Accepted } from '../../runtime/dataset/ordered-writer.js';
import { Outcome } from '../../runtime/dataset/outcome.js';
import { evaluationCause, rowProducer } from '../../runtime/dataset/produce.js';
import { inputHash, promptHash, recipeHash, staleReason } from '../../runtime/dataset/provenance.js';
import { unwritableValue } from '../../runtime/dataset/row-values.js';
import { mulberry32 } from '../support/prng.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'synth-parts-'));

describe('journal', () => {
  const rec = (i: number): JournalRecord => ({ i, p: { d: 'abc' }, r: { a: i, s: `row ${i}` }, k: [`x:${i}`], s: { calls: 1 } });

  it('round-trips records; any change to a line fails its check', () => {
    const line = encodeRecord(rec(3));
    expect(decodeRecord(line)?.rec).toEqual(rec(3));
    const rng = mulberry32(7);
    for (let k = 0; k < 300; k++) {
      const at = Math.floor(rng() * line.length);
      const ch = String.fromCharCode(32 + Math.floor(rng() * 90));
      const edited = line.slice(0, at) + ch + line.slice(at + 1);
      if (edited === line) continue;
      const d = decodeRecord(edited);
      // an edit either breaks the line or is caught by its hash — never a different record accepted
      if (d) expect(d.rec).toEqual(rec(3));
    }
    expect(decodeRecord(line.slice(0, -5))).toBeUndefined();
    expect(decodeRecord('{"i":1,"r":{"a":1},"h":"0000"}')).toBeUndefined();
  });

  it('replays the latest record of each row, counts exact copies once, cuts a torn tail, drops damaged lines', () => {
    const file = path.join(tmp(), 'j.v2.jsonl');
    const { journal } = Journal.open(file);
    for (let i = 0; i < 6; i++) journal.append(rec(i));
    journal.append({ ...rec(2), r: { a: 22, s: 'made again' } });
    journal.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    // line 4 (row 2's first record) duplicated; row 4's line damaged; a torn line at the end
    lines.splice(4, 0, lines[3]!);
    lines[6] = lines[6]!.replace('row 4', 'row 9');
    writeFileSync(file, lines.join('\n') + '{"i":7,"r":{"a');
    const { journal: j2, replay } = Journal.open(file);
    j2.close();
    expect(replay.damaged).toBe(1);
    expect(replay.torn).toBe(true);
    expect([...replay.rows.keys()].sort()).toEqual([0, 1, 2, 3, 5]);
    expect(replay.rows.get(2)!.r).toEqual({ a: 22, s: 'made again' });
    expect(replay.stats['calls']).toBe(6); // 7 records, row 4's dropped, the copy counted once
    // the damaged line and the torn tail are gone: appends start on a clean file
    const again = Journal.open(file);
    again.journal.close();
    expect(again.replay.damaged).toBe(0);
    expect(again.replay.torn).toBe(false);
  });

  it('refuses a journal of a newer format (SYN5024) and starts over on one that is not a journal', () => {
    const dir = tmp();
    const newer = path.join(dir, 'n.v2.jsonl');
    writeFileSync(newer, '{"synth":"journal","v":3}\n');
    expect(() => Journal.open(newer)).toThrow(expect.objectContaining({ code: 'SYN5024' }));
    const junk = path.join(dir, 'junk.v2.jsonl');
    writeFileSync(junk, 'hello\nworld\n');
    const { journal, replay } = Journal.open(junk);
    journal.close();
    expect(replay.rows.size).toBe(0);
    expect(readFileSync(junk, 'utf8')).toBe('{"synth":"journal","v":2}\n');
  });

  it('compacts superseded records on close, keeping what was spent counted', () => {
    const file = path.join(tmp(), 'c.v2.jsonl');
    const { journal } = Journal.open(file);
    for (let k = 0; k < 1500; k++) journal.append({ ...rec(k % 10), r: { a: k }, s: { calls: 1, cost_micro_usd: 3 } }); // a row is journaled once per run: each record differs
    journal.close();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1 + 1 + 10); // header, carried stats, 10 rows
    const { journal: j2, replay } = Journal.open(file);
    j2.close();
    expect(replay.stats).toEqual({ calls: 1500, cost_micro_usd: 4500 });
    expect(replay.rows.size).toBe(10);
    expect(replay.damaged).toBe(0);
  });

  it('a write error is SYN5023 naming the file', () => {
    const file = path.join(tmp(), 'w.v2.jsonl');
    const { journal } = Journal.open(file, { faults: { allow: (_f, n) => (n > 30 ? 10 : undefined) } });
    journal.append(rec(1));
    expect(() => journal.flush()).toThrow(expect.objectContaining({ code: 'SYN5023', message: expect.stringMatching(/cannot write .*w\.v2\.jsonl: no space left on the device \(ENOSPC\)/) }));
    journal.abandon();
  });
});

describe('provenance', () => {
  const plan = (src: string) => {
    const dir = tmp();
    writeFileSync(path.join(dir, 's.synth'), src);
    return buildPlan(checkFile(path.join(dir, 's.synth'))).plan;
  };
  const SRC = (o: { count?: number; temp?: string; conc?: number; user?: string; row?: string } = {}) => `struct Q { q: string }
model m { name "x" api_key env("K") temperature ${o.temp ?? '0.5'} concurrency ${o.conc ?? 4} }
prompt p(n: int) -> Q { model m user "${o.user ?? 'Q {n}'}" }
dataset d { count ${o.count ?? 5} vary n ~ randint(1, 9) row = ${o.row ?? 'p(n)'} output "out/d.jsonl" }
`;

  it("what shapes a row changes its provenance; how many rows, limits and prices do not", () => {
    const base = plan(SRC());
    const ds = (p: typeof base) => p.datasets['d']!;
    expect(recipeHash(ds(plan(SRC({ count: 50 }))))).toBe(recipeHash(ds(base)));
    expect(recipeHash(ds(plan(SRC({ row: '{ q: "a" }' }))))).not.toBe(recipeHash(ds(base)));
    expect(promptHash(plan(SRC({ conc: 64 })), 'p')).toBe(promptHash(base, 'p'));
    expect(promptHash(plan(SRC({ temp: '0.9' })), 'p')).not.toBe(promptHash(base, 'p'));
    expect(promptHash(plan(SRC({ user: 'Q number {n}' })), 'p')).not.toBe(promptHash(base, 'p'));
    expect(inputHash('0/1/2', { x: 1 })).not.toBe(inputHash('0/1/2', { x: 2 }));
  });

  it('says why a journaled row is stale, or nothing when it is not', () => {
    const hashes: Record<string, string> = { p: 'h1', q: 'h2' };
    const of = (n: string) => hashes[n] ?? 'missing';
    expect(staleReason({ d: 'r', q: { p: 'h1' } }, { d: 'r' }, of)).toBeUndefined();
    expect(staleReason({ d: 'r0', q: { p: 'h1' } }, { d: 'r' }, of)).toBe("the dataset's definition changed");
    expect(staleReason({ d: 'r', q: { p: 'h0' } }, { d: 'r' }, of)).toBe("prompt 'p' changed");
    expect(staleReason({ d: 'r', x: 'a' }, { d: 'r', x: 'b' }, of)).toBe('its input changed');
    expect(staleReason({ d: 'r', q: { gone: 'h' } }, { d: 'r' }, of)).toBe("prompt 'gone' changed");
  });
});

describe('ordered writer', () => {
  type R = { kind: 'row' | 'filtered' | 'failed' | 'stop' | 'deferred'; i: number };
  async function drive(o: { results: (i: number) => R['kind']; target?: number; maxIndex: number; reuse?: (i: number) => boolean; concurrency?: number; windowBytes?: number; jitter?: number; stopAfter?: number }) {
    const decided: Array<[number, R['kind'], boolean]> = [];
    const produced: number[] = [];
    const rng = mulberry32(o.jitter ?? 1);
    let inFlight = 0;
    let maxInFlight = 0;
    const end = await writeInOrder<R>({
      maxIndex: o.maxIndex,
      target: o.target,
      inShard: () => true,
      concurrency: o.concurrency ?? 4,
      ...(o.windowBytes !== undefined ? { windowBytes: o.windowBytes } : {}),
      reuse: (i) => (o.reuse?.(i) ? { kind: o.results(i), i } : undefined),
      produce: async (i) => {
        produced.push(i);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        // finish out of order
        for (let k = Math.floor(rng() * 5); k > 0; k--) await Promise.resolve();
        inFlight--;
        return { kind: o.results(i), i };
      },
      accept: (i, r, reused): Accepted | { deferred: string } => {
        if (r.kind === 'deferred') return { deferred: 'later' };
        decided.push([i, r.kind, reused]);
        if (r.kind === 'row') return { counted: 'written' };
        if (r.kind === 'filtered') return { counted: 'dropped' };
        return { counted: 'failed', ...(r.kind === 'stop' ? { stop: 'fatal' } : {}) };
      },
      shouldStop: () => (o.stopAfter !== undefined && decided.length >= o.stopAfter ? 'interrupted' : undefined),
    });
    return { decided, produced, end, maxInFlight };
  }

  it('decides in index order whatever order rows finish in (seeded schedules)', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const { decided, maxInFlight } = await drive({ results: (i) => (i % 7 === 3 ? 'filtered' : 'row'), target: 20, maxIndex: 200, jitter: seed, concurrency: 1 + (seed % 6) });
      expect(decided.map((d) => d[0])).toEqual([...decided.map((d) => d[0])].sort((a, b) => a - b));
      expect(decided.filter((d) => d[1] === 'row')).toHaveLength(20);
      expect(maxInFlight).toBeLessThanOrEqual(1 + (seed % 6));
    }
  });

  it('a failed row is a hole: it counts towards the target and is not replaced', async () => {
    const { decided, end } = await drive({ results: (i) => (i === 2 ? 'failed' : 'row'), target: 5, maxIndex: 100 });
    expect(decided.map((d) => d[0])).toEqual([0, 1, 2, 3, 4]);
    expect(end.processedThrough).toBe(4);
  });

  it('never produces more rows than could still be needed', async () => {
    const { produced } = await drive({ results: () => 'row', target: 5, maxIndex: 100, concurrency: 64 });
    expect(produced).toEqual([0, 1, 2, 3, 4]);
    const reused = await drive({ results: () => 'row', target: 5, maxIndex: 100, concurrency: 64, reuse: (i) => i < 3 });
    expect(reused.produced).toEqual([3, 4]);
    expect(reused.decided.map((d) => d[2])).toEqual([true, true, true, false, false]);
  });

  it('a stop decides the rows already produced, then nothing after the first row without a result', async () => {
    // a window of 4 results (1 KiB each unless `settled` sizes them) and 4 in flight
    const { decided, produced, end } = await drive({ results: (i) => (i === 1 ? 'stop' : 'row'), target: 50, maxIndex: 100, concurrency: 4, windowBytes: 4096 });
    expect(end.stopped).toBe('fatal');
    // every row produced when row 1 stopped it (at most the window and the rows in flight past it) is decided,
    // in order, and nothing else
    const idx = decided.map((d) => d[0]);
    expect(idx).toEqual(idx.map((_, k) => k));
    expect(idx).toEqual([...produced].sort((a, b) => a - b));
    expect(idx.length).toBeLessThanOrEqual(2 + 4 + 4);
    const interrupted = await drive({ results: () => 'row', target: 50, maxIndex: 100, concurrency: 2, windowBytes: 2048, stopAfter: 3 });
    expect(interrupted.end.stopped).toBe('interrupted');
    expect(interrupted.decided.length).toBeLessThanOrEqual(3 + 2 + 2);
  });

  it('a slow row holds back decisions, not productions: the others go on until the window is full', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const produced: number[] = [];
    const decided: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let heldBack = 0;
    const run = writeInOrder<number>({
      maxIndex: 1000,
      target: 200,
      inShard: () => true,
      concurrency: 4,
      windowBytes: 50 * 100,
      reuse: () => undefined,
      produce: async (i) => {
        produced.push(i);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        if (i === 0) await slow;
        else await new Promise((r) => setImmediate(r));
        inFlight--;
        return i;
      },
      settled: () => 100, // each result counts 100 bytes: the window holds 50
      accept: (i) => {
        decided.push(i);
        return { counted: 'written' };
      },
      shouldStop: () => undefined,
    });
    // row 0 is stuck: the window fills behind it (50 results, plus at most the 3 other rows in flight when it
    // filled), and then nothing more is produced
    for (let quiet = 0; quiet < 20; ) {
      const before = produced.length;
      await new Promise((r) => setImmediate(r));
      quiet = produced.length === before ? quiet + 1 : 0;
    }
    heldBack = produced.length;
    expect(decided).toEqual([]);
    release();
    const end = await run;
    expect(heldBack).toBeGreaterThanOrEqual(1 + 50);
    expect(heldBack).toBeLessThanOrEqual(1 + 50 + 3);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(decided).toEqual(Array.from({ length: 200 }, (_, k) => k));
    expect(produced.length).toBe(200);
    expect(end).toMatchObject({ processedThrough: 199, stopped: undefined });
  });

  it('an error from `settled` (the journal cannot be written) stops the writer and is thrown', async () => {
    const err = new Error('ENOSPC');
    const p = writeInOrder<number>({
      maxIndex: 100,
      target: 100,
      inShard: () => true,
      concurrency: 8,
      reuse: () => undefined,
      produce: async (i) => i,
      settled: (i) => {
        if (i === 30) throw err;
        return 10;
      },
      accept: () => ({ counted: 'written' }),
      shouldStop: () => undefined,
    });
    await expect(p).rejects.toBe(err);
  });

  it('stops at a row answered later (a provider batch), deciding nothing for it', async () => {
    const { decided, end } = await drive({ results: (i) => (i === 3 ? 'deferred' : 'row'), target: 10, maxIndex: 100 });
    expect(end.deferred).toBe(true);
    expect(end.stopped).toBe('later');
    expect(decided.map((d) => d[0])).toEqual([0, 1, 2]);
  });
});

describe('outcome accounting', () => {
  it('count datasets: missing = asked − written, failed rows by cause, the rest not made', () => {
    const o = new Outcome();
    o.written(undefined);
    o.failed(1, { kind: 'http', key: 'http 500 h', message: 'HTTP 500 from h' });
    o.failed(4, { kind: 'http', key: 'http 500 h', message: 'HTTP 500 from h (again)' });
    o.filtered();
    const fin = o.finish({ target: 5, forDataset: false, stopped: 'interrupted' });
    expect(fin.status).toBe('incomplete');
    expect(fin.missing).toBe(4);
    expect(fin.causes).toEqual([
      { kind: 'http', key: 'http 500 h', count: 2, example: 'HTTP 500 from h', row: 1 },
      { kind: 'stopped', key: 'stopped: not made: the run stopped (interrupted)', count: 2, example: 'not made: the run stopped (interrupted)', row: -1 },
    ]);
  });

  it('for datasets: a filtered or duplicate row is decided, not missing', () => {
    const o = new Outcome();
    for (let k = 0; k < 3; k++) o.written('train');
    o.filtered();
    o.duplicate();
    expect(o.finish({ target: 5, forDataset: true })).toMatchObject({ status: 'complete', missing: 0 });
    expect(o.splits).toEqual({ train: 3 });
  });

  it('counts reuse and why rows were remade', () => {
    const o = new Outcome();
    o.source(true);
    o.source(false, "prompt 'p' changed");
    o.source(false, "prompt 'p' changed");
    o.source(false);
    expect(o.counts).toMatchObject({ reused: 1, remade: 2, made: 1 });
    expect(Object.fromEntries(o.remadeWhy)).toEqual({ "prompt 'p' changed": 2 });
  });
});

describe('row values', () => {
  const schema = { type: 'object', properties: { x: { type: 'number' }, n: { type: 'integer' }, o: { anyOf: [{ type: 'object', properties: { k: { type: 'integer' } } }, { type: 'null' }] }, xs: { type: 'array', items: { type: 'number' } } } };
  it('non-finite numbers anywhere, and inexact integers in int fields, fail the row with the pointer', () => {
    expect(unwritableValue({ x: 1.5, n: 3, o: { k: 2 }, xs: [1, 2] }, schema, 'd')).toBeUndefined();
    expect(unwritableValue({ x: NaN }, schema, 'd')?.message).toMatch(/^\/x is NaN/);
    expect(unwritableValue({ xs: [1, -Infinity] }, schema, 'd')?.message).toMatch(/^\/xs\/1 is -Infinity/);
    expect(unwritableValue({ n: 2 ** 60 }, schema, 'd')?.message).toMatch(/^\/n is 1152921504606847000: an int must be an exact integer/);
    expect(unwritableValue({ o: { k: 2 ** 53 } }, schema, 'd')?.message).toMatch(/^\/o\/k is/);
    expect(unwritableValue({ x: 2 ** 60 }, schema, 'd')).toBeUndefined(); // a float may be large
    expect(unwritableValue({ extra: Infinity }, schema, 'd')?.kind).toBe('value'); // a kept variable too
  });
});

describe('row production', () => {
  it('an evaluation error names the expression and the values it read', () => {
    try {
      evaluate({ op: '/', args: [{ lit: 1 }, { op: '-', args: [{ var: 'v' }, { var: 'w' }] }] }, new Map([['v', 2], ['w', 2]]));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EvalError);
      const c = evaluationCause(e as EvalError, 'd');
      expect(c.message).toBe('division by zero in `1 / (v - w)` (v = 2, w = 2)');
      expect(c.key).not.toContain('2'); // grouped by expression, not by values
    }
    expect(showExpr({ op: '*', args: [{ op: '+', args: [{ var: 'a' }, { lit: 1 }] }, { get: { var: 'r' }, field: 'x' }] })).toBe('(a + 1) * r.x');
  });

  it('rows of a spec: made, filtered, failed with the cause', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 's.synth'), `struct R { y: float }
dataset d: R { count 10  vary v ~ randint(0, 3)  row = { y: 6.0 / v }  check row.y < 5.0  output "out/d.jsonl" }
`);
    const ds: DatasetStage = buildPlan(checkFile(path.join(dir, 's.synth'))).plan.datasets['d']!;
    const produce = rowProducer({ dataset: ds, promptHash: () => '' });
    const kinds = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const r = await produce(i);
      kinds.add(r.kind);
      if (r.kind === 'failed') expect(r.cause.message).toMatch(/^division by zero in `6 \/ v` \(v = 0\)$/);
      if (r.kind === 'filtered') expect(r.reason).toBe('filtered: check row.y < 5.0');
      if (r.kind === 'row') expect(r.row['y']).toBeLessThan(5);
      expect(await produce(i)).toEqual(r); // a pure function of the index
    }
    expect([...kinds].sort()).toEqual(['failed', 'filtered', 'row']);
  });
});
