// The example specs, for tests that should hold on every real spec.
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function exampleSpecs(): string[] {
  const dir = path.join(ROOT, 'examples');
  const out: string[] = [];
  for (const d of readdirSync(dir)) {
    const p = path.join(dir, d);
    if (!statSync(p).isDirectory()) continue;
    for (const f of readdirSync(p)) if (f.endsWith('.synth') && statSync(path.join(p, f)).isFile()) out.push(path.join(p, f)); // not the .synth/ cache dir
  }
  return out.sort();
}
