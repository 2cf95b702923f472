// `synth report` on outputs of more than one file (adv15 items 2, 3): a `{split}` output is read across every
// split's file (it read only the first, while saying "every row counted"), and an hf folder — given itself or
// the folder holding it — is read from its Parquet shards (it was refused with a misleading SYN5201/SYN5202).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { buildPlan } from '../../compiler/plan/lower.js';
import { buildReport } from '../../runtime/report/build-report.js';
import { run } from '../../runtime/run/run-plan.js';

const spec = (output: string) => `goal "splits" {
  seed 4
  split { train: 0.7, test: 0.3 }
}
struct R { x: int }
dataset d: R {
  count 50
  vary x ~ randint(1, 9)
  row = { x: x }
  output "${output}"${output.endsWith("hf") ? " format hf" : ""}
}
`;

async function runSpec(output: string): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-report-split-'));
  writeFileSync(path.join(dir, 's.synth'), spec(output));
  const r = checkFile(path.join(dir, 's.synth'));
  expect(r.hasErrors).toBe(false);
  const s = await run(buildPlan(r).plan, { projectRoot: dir });
  expect(s.results.map((x) => x.status)).toEqual(['complete']);
  return dir;
}

/** The figures the page states: rows counted and the split column's counts. */
function counted(html: string): number {
  const m = /every row counted: ([0-9,]+)/.exec(html);
  expect(m).not.toBeNull();
  return Number(m![1]!.replace(/,/g, ''));
}

describe('synth report over several row files', () => {
  it('{split}: every split file is read, rows carry their split', async () => {
    const dir = await runSpec('out/d-{split}.jsonl');
    const heard: string[] = [];
    const { html } = await buildReport(path.join(dir, 'out'), undefined, (_n, files) => heard.push(files));
    expect(counted(html)).toBe(50);
    expect(heard).toEqual(['d-train.jsonl, d-test.jsonl']);
    expect(html).toContain('>split<');
  });

  it('hf: the folder itself, or the folder holding it, is read from its Parquet shards', async () => {
    const dir = await runSpec('out/hf');
    for (const d of [path.join(dir, 'out', 'hf'), path.join(dir, 'out')]) {
      const { html, datasets } = await buildReport(d);
      expect(datasets).toBe(1);
      expect(counted(html)).toBe(50);
    }
  });
});
