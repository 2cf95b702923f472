// Progress for `synth run`: a live bar on a terminal (cli-progress), plain periodic lines otherwise (CI, logs).
import cliProgress from 'cli-progress';
import { formatUsd } from '../compiler/plan/estimate.js';
import type { Progress } from '../runtime/dataset/execute.js';

/** The progress display of one `synth run`: `update` per progress report, `stop` before printing anything else. */
export class RunProgress {
  private bar: cliProgress.SingleBar | undefined;
  private current = '';
  private lastLine = 0;
  private readonly tty = Boolean(process.stderr.isTTY) && !process.env['CI'];
  private readonly started = Date.now();

  /** Shows `dataset`'s progress: rows written of the target, failures, duplicates, tokens, cost, images. */
  update(dataset: string, p: Progress): void {
    const total = p.target ?? 0;
    if (this.tty) {
      if (this.current !== dataset) {
        this.bar?.stop();
        this.bar = new cliProgress.SingleBar(
          { format: `${dataset} |{bar}| {value}/{total} rows{images} | {failed} failed | {dups} dup | {tokens} tok | {cost} | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(total, 0, { failed: 0, dups: 0, tokens: '0', cost: '$0.00', images: '' });
        this.current = dataset;
      }
      this.bar!.update(p.written, { failed: p.failed, dups: p.duplicates, ...extras(p) });
      return;
    }
    const now = Date.now();
    if (this.current !== dataset || now - this.lastLine > 2000 || p.written === total) {
      this.current = dataset;
      this.lastLine = now;
      const x = extras(p);
      const llm = p.tokens || p.costUsd ? `, ${x.tokens} tokens, ${x.cost}` : '';
      process.stderr.write(`${dataset}: ${p.written}/${total || '?'} rows${x.images}, ${p.failed} failed, ${p.filtered} filtered, ${p.duplicates} duplicates${llm} (${((now - this.started) / 1000).toFixed(1)}s)\n`);
    }
  }

  /** Removes the bar (idempotent), so what follows prints on a clean line. */
  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

/** Tokens, estimated cost and images, formatted for both the bar and the plain lines. */
function extras(p: Progress): { tokens: string; cost: string; images: string } {
  return {
    tokens: p.tokens.toLocaleString('en-US'),
    cost: formatUsd(p.costUsd),
    images: p.images ? ` (${p.images.toLocaleString('en-US')} images)` : '',
  };
}
