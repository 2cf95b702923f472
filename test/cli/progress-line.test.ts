// The progress line fits the terminal by dropping whole fields, least important first, never by cutting one
// (issue #17: at 80 columns the old fixed bar cut off tokens, cost and ETA).
import { describe, expect, it, vi } from 'vitest';
import { duration, fitLine, rate, type Field } from '../../cli/progress-line.js';
import { RunProgress, rowFields, simFields } from '../../cli/progress.js';
import { mulberry32 } from '../support/prng.js';

const BAR = /^[█░]+$/;

describe('fitLine', () => {
  it('for any fields and width: within the width, each shown field whole and in order, the less important gone first', () => {
    const rng = mulberry32(1717);
    for (let trial = 0; trial < 3000; trial++) {
      const n = 1 + Math.floor(rng() * 9);
      const fields: Field[] = Array.from({ length: n }, (_, i) => ({
        text: `f${i}-` + 'x'.repeat(Math.floor(rng() * 14)),
        keep: Math.floor(rng() * 5) * 10,
      }));
      const width = fields[0]!.text.length + Math.floor(rng() * 120);
      const slot = rng() < 0.5 ? { at: Math.min(1, n), fraction: rng(), min: 10, max: 30 } : undefined;
      const line = fitLine(fields, width, slot);
      expect([...line].length, line).toBeLessThanOrEqual(width);
      const parts = line.split(' | ');
      const shown = parts.filter((p) => !BAR.test(p));
      // every part is a whole field, in the fields' order (a subsequence), the first always there
      let j = 0;
      for (const p of shown) {
        while (j < n && fields[j]!.text !== p) j++;
        expect(j, `${p} is not a whole field, in order: ${line}`).toBeLessThan(n);
        j++;
      }
      expect(shown[0]).toBe(fields[0]!.text);
      // a field left out keeps no longer than any field shown (bar aside), the first one excepted
      const shownSet = new Set(shown);
      const minShown = Math.min(...fields.slice(1).filter((f) => shownSet.has(f.text)).map((f) => f.keep));
      for (const f of fields.slice(1)) if (!shownSet.has(f.text)) expect(f.keep, line).toBeLessThanOrEqual(minShown);
      // nothing was dropped when everything fits
      const all = fields.map((f) => f.text).join(' | ');
      if (all.length <= width) expect(shown.length).toBe(n);
      // the bar only when there is room for at least its minimum
      const bars = parts.filter((p) => BAR.test(p));
      expect(bars.length).toBeLessThanOrEqual(1);
      if (bars[0]) expect(bars[0].length).toBeGreaterThanOrEqual(10);
    }
  });

  it('cuts (with …) only a first field that alone is wider than the line', () => {
    expect(fitLine([{ text: 'a-very-long-dataset-name', keep: 100 }], 10)).toBe('a-very-lo…');
  });

  it('the rows line keeps rows, ETA, failures and cost at 60 columns, every field at 120 and the bar too at 160', () => {
    const p = { written: 1234, target: 5000, failed: 7, filtered: 3, duplicates: 2, tokens: 123456, costUsd: 0.0123, images: 0 };
    const at = (w: number) => fitLine(...rowFields('reviews', p, 10_000, w));
    const wide = at(119);
    for (const f of ['reviews', '1,234/5,000 rows', '7 failed', '2 dup', '3 filtered', '123,456 tok', '$0.012', '123 rows/s', '10.0s', 'ETA 30.5s']) expect(wide).toContain(f);
    expect(at(159)).toMatch(/^reviews \| [█░]{10,30} \| 1,234\/5,000 rows \|/);
    const narrow = at(60);
    expect(narrow.length).toBeLessThanOrEqual(60);
    for (const f of ['reviews', '1,234/5,000 rows', 'ETA 30.5s', '7 failed', '$0.012']) expect(narrow).toContain(f);
  });

  it('durations and rates read as people write them', () => {
    expect([duration(850), duration(12_345), duration(245_000), duration(7_800_000)]).toEqual(['850ms', '12.3s', '4m 05s', '2h 10m']);
    expect([rate(3.21), rate(950), rate(12_345), rate(4_560_000)]).toEqual(['3.2', '950', '12.3k', '4.56M']);
  });
});

describe('RunProgress', () => {
  const fakeTerminal = (columns: number) => {
    const out = { isTTY: true, columns, text: '', write: (s: string) => ((out.text += s), true) };
    return out;
  };

  it('a notice (the Ctrl-C message) clears the live line first and the line comes back after it', () => {
    const out = fakeTerminal(80);
    const pr = new RunProgress(out, {});
    const p = { written: 5, target: 10, failed: 0, filtered: 0, duplicates: 0, tokens: 0, costUsd: 0, images: 0 };
    pr.update('d', p);
    pr.note('stopping: finishing rows in flight (Ctrl-C again to quit at once)');
    pr.stop();
    // the note sits on a line of its own, cleared before; the final line ends with a newline
    expect(out.text).toMatch(/\r\x1b\[Kstopping: finishing rows in flight \(Ctrl-C again to quit at once\)\n\rd \| /);
    expect(out.text.endsWith('\x1b[K\n')).toBe(true);
  });

  it('off a terminal (or with CI set) it writes plain lines, no control characters', () => {
    const out = fakeTerminal(80);
    const pr = new RunProgress(out, { CI: '1' });
    pr.sim({ state: 'start', sim: 'traffic', backend: 'auto', worlds: 64, agents: 32, steps: 100 });
    pr.sim({ state: 'done', sim: 'traffic', backend: 'cpu', worlds: 64, ms: 1500, agentSteps: 204_800 });
    pr.update('d', { written: 10, target: 10, failed: 0, filtered: 0, duplicates: 0, tokens: 0, costUsd: 0, images: 0 });
    pr.stop();
    expect(out.text).not.toMatch(/[\r\x1b]/);
    expect(out.text.split('\n').slice(0, 3)).toEqual([
      'sim traffic: running on auto, 64 worlds × 32 agents × 100 steps',
      'sim traffic: cpu, 64 worlds, 137k agent-steps/s, done in 1.5s',
      expect.stringMatching(/^d: 10\/10 rows, 0 failed, 0 filtered, 0 duplicates \(\d+\.\ds\)$/),
    ]);
  });
});

describe('a running simulation (issue #17: sim backend, worlds, steps/s, ETA from the measured rate)', () => {
  const start = { state: 'start' as const, sim: 'traffic', backend: 'cpu' as const, worlds: 512, agents: 32, steps: 10_000 };
  const texts = (w: number, steps: Parameters<typeof simFields>[1], elapsed: number) => fitLine(simFields(start, steps, elapsed), w).split(' | ');

  it('before the first report: the sim\'s length, no rate and no ETA', () => {
    expect(texts(200, {}, 1500)).toEqual(['sim traffic', 'cpu', '512 worlds', '10,000 steps', '1.5s']);
  });

  it('one report: the step count, still no rate (one point is no rate) and no ETA', () => {
    expect(texts(200, { first: { at: 1000, done: 250 }, last: { at: 1000, done: 250 } }, 1000)).toEqual(['sim traffic', 'cpu', '512 worlds', 'step 250/10,000', '1.0s']);
  });

  it('rate and ETA from the reports alone (the start-up before the first is not in them)', () => {
    // 2,000 steps in the 4 s between reports: 500 steps/s; 6,000 left: 12 s, whatever the 30 s of start-up
    const f = texts(200, { first: { at: 30_000, done: 2_000 }, last: { at: 34_000, done: 4_000 } }, 34_000);
    expect(f).toEqual(['sim traffic', 'cpu', '512 worlds', 'step 4,000/10,000', '500 steps/s', '34.0s', 'ETA 12.0s']);
  });

  it('fractional step counts (CPU chunks of worlds part-way) show whole steps, with separators', () => {
    expect(texts(200, { first: { at: 0, done: 0.5 }, last: { at: 1000, done: 1234.9 } }, 1000)[3]).toBe('step 1,234/10,000');
  });

  it('narrow terminals drop whole fields: elapsed first, then the rate and worlds; step and ETA stay longest', () => {
    const steps = { first: { at: 0, done: 100 }, last: { at: 2000, done: 1100 } };
    const all = texts(200, steps, 2000);
    for (const w of [30, 40, 50, 60, 70, 80]) {
      const shown = texts(w, steps, 2000);
      expect(shown.join(' | ').length).toBeLessThanOrEqual(w);
      for (const f of shown) expect(all).toContain(f);
      if (shown.includes('2.0s')) expect(shown).toContain('500 steps/s');
      if (shown.includes('500 steps/s')) expect(shown).toContain('512 worlds');
      if (shown.includes('512 worlds')) expect(shown).toContain('ETA 17.8s');
      if (shown.includes('ETA 17.8s')) expect(shown).toContain('step 1,100/10,000');
    }
    expect(texts(45, steps, 2000)).toEqual(['sim traffic', 'cpu', 'step 1,100/10,000']);
  });

  it('RunProgress redraws the live sim line as steps are reported, and leaves the finished line', () => {
    vi.useFakeTimers();
    try {
      const out = { isTTY: true, columns: 120, text: '', write: (s: string) => ((out.text += s), true) };
      const pr = new RunProgress(out, {});
      pr.sim(start);
      vi.advanceTimersByTime(3000);
      pr.sim({ state: 'steps', sim: 'traffic', done: 1000, steps: 10_000 });
      vi.advanceTimersByTime(2000);
      pr.sim({ state: 'steps', sim: 'traffic', done: 3000, steps: 10_000 });
      vi.advanceTimersByTime(500); // a report within 100 ms of the last draw waits for the next (at most 500 ms)
      const last = out.text.split('\r').at(-1)!;
      expect(last).toBe('sim traffic | cpu | 512 worlds | step 3,000/10,000 | 1.00k steps/s | 5.5s | ETA 7.0s\x1b[K');
      pr.sim({ state: 'done', sim: 'traffic', backend: 'cpu', worlds: 512, ms: 12_000, agentSteps: 512 * 32 * 10_000 });
      expect(out.text.endsWith('sim traffic | cpu | 512 worlds | 13.7M agent-steps/s | done in 12.0s\n')).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('off a terminal: a plain step line at the first report (the sim is running), then at most every two seconds', () => {
    vi.useFakeTimers();
    try {
      const out = { isTTY: false, text: '', write: (s: string) => ((out.text += s), true) };
      const pr = new RunProgress(out, {});
      pr.sim(start);
      for (let i = 1; i <= 10; i++) {
        vi.advanceTimersByTime(500);
        pr.sim({ state: 'steps', sim: 'traffic', done: i * 100, steps: 10_000 });
      }
      const lines = out.text.trim().split('\n');
      expect(lines[0]).toBe('sim traffic: running on cpu, 512 worlds × 32 agents × 10,000 steps');
      expect(lines.slice(1)).toEqual(['sim traffic: cpu, 512 worlds, step 100/10,000, 500ms', 'sim traffic: cpu, 512 worlds, step 600/10,000, 200 steps/s, 3.0s, ETA 47.0s']);
      expect(out.text).not.toMatch(/[\r\x1b]/);
    } finally {
      vi.useRealTimers();
    }
  });
});
