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

type Phase =
  | { kind: 'sim'; name: string; started: number; start: Extract<SimPhase, { state: 'start' }>; step?: number }
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

  /** A simulation started or finished (RunOptions.onSim). */
  sim(e: SimPhase): void {
    if (e.state === 'start') {
      this.finish();
      this.phase = { kind: 'sim', name: e.sim, started: Date.now(), start: e };
      if (this.tty) {
        this.draw(true);
        // a sim reports nothing until it ends: the elapsed time keeps the line alive meanwhile
        this.ticker = setInterval(() => this.draw(true), 500);
        this.ticker.unref();
      } else this.out.write(`sim ${e.sim}: running on ${e.backend}, ${e.worlds.toLocaleString('en-US')} worlds × ${e.agents.toLocaleString('en-US')} agents × ${e.steps.toLocaleString('en-US')} steps\n`);
      return;
    }
    if (e.state === 'steps') {
      if (this.phase?.kind !== 'sim' || this.phase.name !== e.sim) return;
      const first = this.phase.step === undefined;
      this.phase.step = e.step;
      if (this.tty) return this.draw(false);
      // off a terminal: the first report (the sim is running), then at most one line every two seconds
      const now = Date.now();
      if (first || now - this.lastPlain > 2000) {
        this.lastPlain = now;
        this.out.write(`sim ${e.sim}: step ${e.step.toLocaleString('en-US')} of ${e.steps.toLocaleString('en-US')}\n`);
      }
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
    if (ph.kind === 'sim') {
      const s = ph.start;
      return fitLine(
        [
          { text: `sim ${s.sim}`, keep: 100 },
          { text: s.backend === 'auto' ? 'auto backend' : s.backend, keep: 90 },
          { text: `${s.worlds.toLocaleString('en-US')} worlds`, keep: 60 },
          { text: ph.step === undefined ? `${s.steps.toLocaleString('en-US')} steps` : `step ${ph.step.toLocaleString('en-US')} of ${s.steps.toLocaleString('en-US')}`, keep: 40 },
          { text: duration(now - ph.started), keep: 80 },
        ],
        this.width(),
      );
    }
    return fitLine(...rowFields(ph.name, ph.p, now - ph.started, this.width()));
  }
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
