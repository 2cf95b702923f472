// A table path that names a FIFO or a folder (or a device or socket, which a project rarely holds) is refused with SYN5054 and exit 1 by `synth check` and
// `synth run`: a FIFO used to block both forever (its open waits for a writer) (adv14 #6).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthAsync } from '../support/cli.js';

const spec = (table: string) => `struct P { name: string }
source people: P = table(${JSON.stringify(table)})
dataset d: P {
  for p in people
  row = { name: p.name }
  output "out/d.jsonl"
}
`;

describe('a table that is not a regular file', () => {
  const cases: [string, (dir: string) => string | undefined, string][] = [
    [
      'a FIFO',
      (dir) => {
        try {
          execFileSync('mkfifo', [path.join(dir, 'seed', 'p.csv')]);
          return 'seed/p.csv';
        } catch {
          return undefined;
        }
      },
      'it is not a regular file (a FIFO)',
    ],
    [
      'a folder',
      (dir) => {
        mkdirSync(path.join(dir, 'seed', 'p.csv'));
        return 'seed/p.csv';
      },
      'it is a folder, not a table file',
    ],
  ];
  for (const [what, make, reason] of cases) {
    it(`${what}: SYN5054 from check and run, exit 1, no hang`, async (ctx) => {
      const dir = mkdtempSync(path.join(tmpdir(), 'synth-table-kind-'));
      mkdirSync(path.join(dir, 'seed'));
      const rel = make(dir);
      if (!rel) return ctx.skip('mkfifo is not available here');
      writeFileSync(path.join(dir, 's.synth'), spec(rel));
      for (const cmd of ['check', 'run']) {
        // a hang is killed by synthAsync's limit and fails here (code -1), never passes
        const r = await synthAsync([cmd, path.join(dir, 's.synth')]);
        expect(r.code, `${cmd}: ${r.stderr}`).toBe(1);
        expect(r.stderr).toMatch(/error SYN5054: cannot read table 'people' \(\S*seed\/p\.csv\): /);
        expect(r.stderr).toContain(reason);
      }
    });
  }
});
