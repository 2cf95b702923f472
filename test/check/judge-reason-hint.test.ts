// `keep q_reason` when judge q's prompt returns only a score (adv15 item 9): SYN1001 as before, with a note at the
// judge saying why there is no q_reason; a judge that returns a reason gives it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';

const spec = (returns: string) => `model j { name "j" api_key env("K") }
struct Rated { score: int, reason: string }
prompt rate(t: string) -> ${returns} { model j  user "rate {t}" }
dataset d {
  count 2
  vary t ~ one_of("a", "b")
  judge q = rate(t) >= 3
  keep q_reason
  row = { t: t }
  output "out/d.jsonl"
}
`;

function check(src: string) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-judge-'));
  writeFileSync(path.join(dir, 's.synth'), src);
  return checkFile(path.join(dir, 's.synth')).diagnostics.filter((d) => d.severity === 'error');
}

describe('keep NAME_reason of a judge', () => {
  it('a judge returning only a score: SYN1001 with a note at the judge saying why', () => {
    const d = check(spec('int'));
    expect(d.map((x) => x.message)).toEqual(["unknown variable 'q_reason'"]);
    expect(d[0]!.related?.[0]?.message).toMatch(/judge q's prompt returns no `reason` .* so it gives no q_reason/);
    // at the judge's name
    const src = spec('int');
    const at = d[0]!.related![0]!.span;
    expect(src.slice(at.start, at.end)).toBe('q');
    expect(src.slice(0, at.start).split('\n').length).toBe(7);
  });
  it('a judge returning a reason gives q_reason', () => {
    expect(check(spec('Rated'))).toEqual([]);
  });
});
