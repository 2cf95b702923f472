// Progress for `synth run`, a line per phase: each simulation (backend, worlds, agent-steps per second), then
// each dataset's rows (bar, rows, failures, tokens, cost, ETA from the measured rate). On a terminal the live
// line is redrawn in place and fitted to the terminal's width by dropping fields, never cutting them
// (cli/progress-line.ts); a finished phase stays as a plain line. Anything else printed meanwhile (notices, the
// Ctrl-C message) goes through `note`, which clears the live line first, so nothing garbles. Off a terminal
// (or with CI set) it prints plain lines, at most one per dataset every two seconds.
import { formatUsd } from '../compiler/plan/estimate.js';
import type { Progress } from '../runtime/dataset/execute.js';
import type { SimPhase } from '../runtime/run/options.js';
import { duration, fitLine, rate, type BarSlot, type Field } from './progress-line.js';

/** Where the display writes: stderr by default; tests pass a fake terminal. */
export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A sim's step counts as reported: the first (the rate's origin, past the backend's start-up) and the latest. */
export interface SimSteps {
  first?: { at: number; done: number };
  last?: { at: number; done: number };
}

type Phase =
  | { kind: 'sim'; name: string; started: number; start: Extract<SimPhase, { state: 'start' }>; steps: SimSteps }
  | { kind: 'rows'; name: string; started: number; p: Progress };

/** The progress display of one `synth run` (see the file's header). Call `stop` before printing the summary. */
export class RunProgress {
  private phase: Phase | undefined;
  private lastDraw = 0;
  private lastPlain = 0;
  private ticker: NodeJS.Timeout | undefined;
  private readonly tty: boolean;
  private readonly started = Date.now();

  constructor(
    private readonly out: ProgressStream = process.stderr,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.tty = Boolean(out.isTTY) && !env['CI'];
  }

  /** A simulation started, moved on (steps done) or finished (RunOptions.onSim). */
  sim(e: SimPhase): void {
    if (e.state === 'steps') {
      const ph = this.phase;
      if (ph?.kind !== 'sim' || ph.name !== e.sim) return;
      const now = { at: Date.now(), done: e.done };
      const firstReport = ph.steps.first === undefined;
      ph.steps.first ??= now;
      ph.steps.last = now;
      if (this.tty) return this.draw(false);
      // off a terminal: the first report (the sim is running), then at most one line every two seconds
      if (firstReport || now.at - this.lastPlain > 2000) {
        this.lastPlain = now.at;
        this.out.write(simFields(ph.start, ph.steps, now.at - ph.started).map((f) => f.text).join(', ').replace(', ', ': ') + '\n');
      }
      return;
    }
    if (e.state === 'start') {
      this.finish();
      this.phase = { kind: 'sim', name: e.sim, started: Date.now(), start: e, steps: {} };
      this.lastPlain = Date.now();
      if (this.tty) {
        this.draw(true);
        // between step reports (and before the first) the elapsed time keeps the line alive
        this.ticker = setInterval(() => this.draw(true), 500);
        this.ticker.unref();
      } else this.out.write(`sim ${e.sim}: running on ${e.backend}, ${e.worlds.toLocaleString('en-US')} worlds × ${e.agents.toLocaleString('en-US')} agents × ${e.steps.toLocaleString('en-US')} steps\n`);
      return;
    }
    if (this.phase?.kind === 'sim' && this.phase.name === e.sim) this.clearLive();
    this.phase = undefined;
    const perS = e.ms > 0 ? (e.agentSteps / e.ms) * 1000 : NaN;
    const fields: Field[] = [
      { text: `sim ${e.sim}`, keep: 100 },
      { text: e.backend, keep: 90 },
      { text: `${e.worlds.toLocaleString('en-US')} worlds`, keep: 60 },
      { text: `${rate(perS)} agent-steps/s`, keep: 50 },
      { text: `done in ${duration(e.ms)}`, keep: 80 },
    ];
    this.out.write((this.tty ? fitLine(fields, this.width()) : fields.map((f) => f.text).join(', ').replace(', ', ': ')) + '\n');
  }

  /** Shows `dataset`'s progress: rows written of the target, failures, duplicates, tokens, cost, images. */
  update(dataset: string, p: Progress): void {
    if (this.phase?.kind !== 'rows' || this.phase.name !== dataset) {
      this.finish();
      this.phase = { kind: 'rows', name: dataset, started: Date.now(), p };
    }
    this.phase.p = p;
    if (this.tty) return this.draw(p.written === p.target);
    const now = Date.now();
    if (this.lastPlain === 0 || now - this.lastPlain > 2000 || p.written === p.target) {
      this.lastPlain = now;
      this.out.write(plainRows(dataset, p, now - this.started) + '\n');
    }
  }

  /** Prints `line` on its own (a notice, the Ctrl-C message) without garbling the live line. */
  note(line: string): void {
    this.clearLive();
    this.out.write(line + '\n');
    this.draw(true);
  }

  /** Leaves the last phase as a plain line and stops redrawing (idempotent). */
  stop(): void {
    this.finish();
  }

  /** Ends the live phase: its last state stays on screen as a finished line. */
  private finish(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    const ph = this.phase;
    this.phase = undefined;
    this.lastPlain = 0; // the next phase's first plain line prints at once
    if (!ph || !this.tty) return;
    this.out.write('\r' + this.line(ph) + '\x1b[K\n');
  }

  private clearLive(): void {
    if (this.tty && this.phase) this.out.write('\r\x1b[K');
  }

  /** Redraws the live line; at most ten times a second unless `force`. */
  private draw(force: boolean): void {
    if (!this.tty || !this.phase) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.out.write('\r' + this.line(this.phase) + '\x1b[K');
  }

  /** The terminal's width less one cell: writing the last cell would wrap the cursor on some terminals. */
  private width(): number {
    return Math.max(20, (this.out.columns || 80) - 1);
  }

  private line(ph: Phase): string {
    const now = Date.now();
    if (ph.kind === 'sim') return fitLine(simFields(ph.start, ph.steps, now - ph.started), this.width());
    return fitLine(...rowFields(ph.name, ph.p, now - ph.started, this.width()));
  }
}

/**
 * The fields of a running sim's line, most important kept longest: name, step k/N, backend, ETA, worlds,
 * steps/s, elapsed. Before the backend's first report the step field is the sim's length (`500 steps`). The
 * rate (sim steps per second) is measured between the first and the latest report, so the backend's start-up
 * (threads, WGSL compilation) is not in it; rate and ETA are shown only once there is one.
 */
export function simFields(s: Extract<SimPhase, { state: 'start' }>, steps: SimSteps, elapsedMs: number): Field[] {
  const fields: Field[] = [
    { text: `sim ${s.sim}`, keep: 100 },
    { text: s.backend === 'auto' ? 'auto backend' : s.backend, keep: 90 },
    { text: `${s.worlds.toLocaleString('en-US')} worlds`, keep: 60 },
  ];
  const { first, last } = steps;
  if (!last) fields.push({ text: `${s.steps.toLocaleString('en-US')} steps`, keep: 40 });
  else fields.push({ text: `step ${Math.floor(last.done).toLocaleString('en-US')}/${s.steps.toLocaleString('en-US')}`, keep: 95 });
  const perS = first && last && last.at > first.at && last.done > first.done ? ((last.done - first.done) / (last.at - first.at)) * 1000 : 0;
  if (perS > 0) fields.push({ text: `${rate(perS)} steps/s`, keep: 10 });
  fields.push({ text: duration(elapsedMs), keep: 5 });
  if (perS > 0 && last!.done < s.steps) fields.push({ text: `ETA ${duration(((s.steps - last!.done) / perS) * 1000)}`, keep: 85 });
  return fields;
}

/**
 * The fields of a dataset's live line, most important kept longest: name, rows, ETA, failures, cost, elapsed,
 * images, duplicates, filtered, tokens, rate. The ETA comes from the rate measured in this phase (rows written
 * per second of elapsed time), shown once a row is written.
 */
export function rowFields(name: string, p: Progress, elapsedMs: number, width: number): [Field[], number, BarSlot | undefined] {
  const target = p.target;
  const perS = elapsedMs > 0 ? (p.written / elapsedMs) * 1000 : 0;
  const fields: Field[] = [{ text: name, keep: 100 }];
  fields.push({ text: `${p.written.toLocaleString('en-US')}/${target === undefined ? '?' : target.toLocaleString('en-US')} rows`, keep: 95 });
  if (p.images) fields.push({ text: `${p.images.toLocaleString('en-US')} images`, keep: 30 });
  fields.push({ text: `${p.failed.toLocaleString('en-US')} failed`, keep: 85 });
  if (p.duplicates) fields.push({ text: `${p.duplicates.toLocaleString('en-US')} dup`, keep: 25 });
  if (p.filtered) fields.push({ text: `${p.filtered.toLocaleString('en-US')} filtered`, keep: 24 });
  if (p.tokens) fields.push({ text: `${p.tokens.toLocaleString('en-US')} tok`, keep: 20 });
  if (p.tokens || p.costUsd) fields.push({ text: formatUsd(p.costUsd), keep: 70 });
  if (perS > 0) fields.push({ text: `${rate(perS)} rows/s`, keep: 10 });
  fields.push({ text: duration(elapsedMs), keep: 50 });
  if (target !== undefined && p.written < target && perS > 0) fields.push({ text: `ETA ${duration(((target - p.written) / perS) * 1000)}`, keep: 90 });
  const slot = target ? { at: 1, fraction: p.written / target, min: 10, max: 30 } : undefined;
  return [fields, width, slot];
}

/** The plain line off a terminal (logs, CI): every field, comma-separated. */
function plainRows(dataset: string, p: Progress, sinceStartMs: number): string {
  const llm = p.tokens || p.costUsd ? `, ${p.tokens.toLocaleString('en-US')} tokens, ${formatUsd(p.costUsd)}` : '';
  const images = p.images ? ` (${p.images.toLocaleString('en-US')} images)` : '';
  return `${dataset}: ${p.written}/${p.target ?? '?'} rows${images}, ${p.failed} failed, ${p.filtered} filtered, ${p.duplicates} duplicates${llm} (${(sinceStartMs / 1000).toFixed(1)}s)`;
}
