// `synth report DIR`: writes DIR/report.html from the manifests and outputs in DIR.
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildReport } from '../../runtime/report/build-report.js';

/**
 * Builds the HTML report of the outputs and manifests in `dir` (runtime/report) into `opts.out` (default
 * `dir/report.html`). Resolves with 0, or 1 when `dir` holds no manifest.
 */
export async function runReport(dir: string, opts: { out?: string }): Promise<number> {
  const out = opts.out ?? path.join(dir, 'report.html');
  const { html, datasets, charts } = await buildReport(dir, out);
  if (datasets === 0) {
    process.stderr.write(`${dir}: no *.manifest.json here — point synth report at the folder your outputs went to\n`);
    return 1;
  }
  writeFileSync(out, html);
  process.stderr.write(`report: ${datasets} dataset(s), ${charts} charts → ${out}\n`);
  return 0;
}
