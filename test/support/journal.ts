// Reads a project's dataset journals (runtime/dataset/journal.ts) the way a test watching a run needs: the rows
// made so far, whatever their order, without checking line hashes (a line being written may be torn).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

export interface JournaledRow {
  i: number;
  r: Record<string, unknown>;
}

/** Rows journaled as made, in every journal under `projectDir/.synth/journal/` (optionally of one dataset). */
export function journaledRows(projectDir: string, dataset?: string): JournaledRow[] {
  const dir = path.join(projectDir, '.synth', 'journal');
  if (!existsSync(dir)) return [];
  const out: JournaledRow[] = [];
  for (const f of readdirSync(dir)) {
    if (!f.endsWith('.v2.jsonl') || (dataset && !f.startsWith(dataset + '-'))) continue;
    for (const line of readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      try {
        const rec = JSON.parse(line) as { i?: number; r?: Record<string, unknown> };
        if (typeof rec.i === 'number' && rec.r) out.push({ i: rec.i, r: rec.r });
      } catch {
        // a torn last line
      }
    }
  }
  return out;
}

/** The journal files of a project (every dataset). */
export function journalFiles(projectDir: string): string[] {
  const dir = path.join(projectDir, '.synth', 'journal');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.v2.jsonl')).map((f) => path.join(dir, f)) : [];
}
