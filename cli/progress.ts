// Progress for `synth run`: a live bar on a terminal (cli-progress), plain periodic lines otherwise (CI, logs).
import cliProgress from 'cli-progress';
import type { Progress } from '../runtime/dataset/execute.js';

export class RunProgress {
  private bar: cliProgress.SingleBar | undefined;
  private current = '';
  private lastLine = 0;
  private readonly tty = Boolean(process.stderr.isTTY) && !process.env['CI'];
  private readonly started = Date.now();

  update(dataset: string, p: Progress): void {
    const total = p.target ?? 0;
    if (this.tty) {
      if (this.current !== dataset) {
        this.bar?.stop();
        this.bar = new cliProgress.SingleBar(
          { format: `${dataset} |{bar}| {value}/{total} rows | {failed} failed | {dups} dup | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true },
          cliProgress.Presets.shades_classic,
        );
        this.bar.start(total, 0, { failed: 0, dups: 0 });
        this.current = dataset;
      }
      this.bar!.update(p.written, { failed: p.failed, dups: p.duplicates });
      return;
    }
    const now = Date.now();
    if (this.current !== dataset || now - this.lastLine > 2000 || p.written === total) {
      this.current = dataset;
      this.lastLine = now;
      process.stderr.write(`${dataset}: ${p.written}/${total || '?'} rows, ${p.failed} failed, ${p.filtered} filtered, ${p.duplicates} duplicates (${((now - this.started) / 1000).toFixed(1)}s)\n`);
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}
