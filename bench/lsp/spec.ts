// A large, valid spec for the language-server benchmark: the tickets and traffic examples repeated with
// renamed declarations until the file has about `lines` lines.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// from source (bench/lsp/) or built (dist/bench/lsp/): the examples are in the repository either way
const ROOT = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');

function renamer(names: string[], suffix: string): (text: string) => string {
  const re = new RegExp(`\\b(${names.join('|')})\\b`, 'g');
  return (text) => text.replace(re, (m) => m + suffix);
}

export function bigSpec(lines = 5000): string {
  const tickets = readFileSync(path.join(ROOT, 'examples/tickets/tickets.synth'), 'utf8');
  const traffic = readFileSync(path.join(ROOT, 'examples/traffic/traffic.synth'), 'utf8');
  const stripGoal = (t: string) => t.replace(/goal "[^"]*" \{[\s\S]*?\n\}\n/, '');
  const out: string[] = ['// Generated benchmark spec.', 'goal "benchmark" {', '  seed 1', '}', ''];
  let i = 0;
  while (out.join('\n').split('\n').length < lines) {
    const s = `_${i}`;
    const t = renamer(['Tier', 'Mood', 'Ticket', 'writer', 'write_ticket', 'tickets', 'free', 'pro', 'enterprise', 'calm', 'annoyed', 'furious'], s)(stripGoal(tickets));
    const r = renamer(['traffic', 'Crash', 'crashes', 'Sample', 'trajectories'], s)(stripGoal(traffic));
    out.push(t, r);
    i++;
  }
  return out.join('\n');
}
