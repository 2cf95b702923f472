// SYN3070 compares the files outputs expand to, not their spellings (adv15 item 1: `out/q-{split}.jsonl` beside
// `out/q-train.jsonl`, `format chat`'s out/x.chat.jsonl beside an output of that name, and files inside a
// `format hf` folder were run with exit 0 and one dataset's file overwritten). A seeded property: over random
// pairs of outputs, whenever the files the runtime would write (runtime/dataset/outputs.ts's own path helpers,
// and everything under an hf folder) meet, `synth check` reports SYN3070 at the second, and never when the two
// outputs live in folders of their own.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFile } from '../../compiler/check.js';
import { chatFile, manifestOf, splitFile } from '../../runtime/dataset/outputs.js';
import { mulberry32, type Rng } from '../support/prng.js';

interface Out {
  path: string;
  hf: boolean;
  chat: boolean;
}
const SPLITS = ['train', 'test'];

/** The files the runtime writes for an output (rows, chat, manifest); an hf folder: the folder itself. */
function written(o: Out, name: string): { files: string[]; folder?: string } {
  const n = (p: string) => path.posix.normalize(p).toLowerCase();
  if (o.hf) return { files: [], folder: n(o.path) };
  const rows = o.path.includes('{split}') ? SPLITS.map((s) => splitFile(o.path, s)) : [o.path];
  const files = [...rows, manifestOf(o.path, { name, output: { path: o.path, format: 'jsonl' } as never })];
  if (o.chat) files.push(...rows.map(chatFile));
  return { files: files.map(n) };
}

function meet(a: ReturnType<typeof written>, b: ReturnType<typeof written>): boolean {
  const under = (f: string, dir?: string) => dir !== undefined && (f === dir || f.startsWith(dir + '/'));
  if (a.folder && b.folder && (under(a.folder, b.folder) || under(b.folder, a.folder))) return true;
  return a.files.some((f) => b.files.includes(f) || under(f, b.folder)) || b.files.some((f) => under(f, a.folder));
}

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

function randomOut(r: Rng): Out {
  const dir = pick(r, ['out', 'out', 'out/hf', 'out/hf/data', 'out/hf/chat']);
  if (r() < 0.25) return { path: `${dir}/${pick(r, ['hf', 'q', 'data'])}`.replace(/^out\/hf\/hf$/, 'out/hf'), hf: true, chat: r() < 0.5 };
  const base = pick(r, ['q', 'q-{split}', 'q-train', 'q-test', 'x.chat', 'x', 'train', '{split}', 'test-00000-of-00001', 'q-train.chat']);
  return { path: `${dir}/${base}${pick(r, ['.jsonl', '.csv', '.parquet'])}`, hf: false, chat: r() < 0.4 };
}

function spec(a: Out, b: Out): string {
  const ds = (name: string, o: Out) => `dataset ${name}: C {
  count 2
  row = { messages: [user("q"), assistant("a")] }
${o.chat ? '  format chat { messages: row.messages }\n' : ''}  output "${o.path}"${o.hf ? ' format hf' : ''}
}
`;
  return `goal "g" {\n  seed 1\n  split { train: 0.5, test: 0.5 }\n}\nstruct C { messages: message[] }\n${ds('a', a)}${ds('b', b)}`;
}

function clashes(a: Out, b: Out) {
  const dir = mkdtempSync(path.join(tmpdir(), 'synth-xclash-'));
  const file = path.join(dir, 'spec.synth');
  writeFileSync(file, spec(a, b));
  const r = checkFile(file);
  const other = r.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'SYN3070');
  expect(other.map((d) => `${d.code} ${d.message}`), spec(a, b)).toEqual([]);
  return r.diagnostics.filter((d) => d.code === 'SYN3070');
}

describe('SYN3070 over expanded outputs', () => {
  it.each([
    [{ path: 'out/q-{split}.jsonl', hf: false, chat: false }, { path: 'out/q-train.jsonl', hf: false, chat: false }, 'out/q-train.jsonl'],
    [{ path: 'out/x.jsonl', hf: false, chat: true }, { path: 'out/x.chat.jsonl', hf: false, chat: false }, 'out/x.chat.jsonl'],
    [{ path: 'out/hf', hf: true, chat: true }, { path: 'out/hf/chat/train.jsonl', hf: false, chat: false }, 'out/hf/chat/train.jsonl'],
    [{ path: 'out/hf', hf: true, chat: false }, { path: 'out/hf/data/test-00000-of-00001.parquet', hf: false, chat: false }, 'out/hf/data/test-00000-of-00001.parquet'],
    [{ path: 'out/q.jsonl', hf: false, chat: false }, { path: 'out/q.jsonl', hf: true, chat: false }, 'out/q.jsonl'],
    [{ path: 'out/hf/README.md.jsonl', hf: false, chat: false }, { path: 'out/hf', hf: true, chat: false }, 'out/hf/README.md.jsonl'],
  ])('the adversarial pass\'s cases: %o then %o share %s', (a, b, file) => {
    const d = clashes(a, b);
    expect(d).toHaveLength(1);
    expect(d[0]!.message).toContain(`both would write ${file}`);
  });

  it('seeded: every pair whose written files meet is SYN3070; outputs in folders of their own never are', () => {
    const r = mulberry32(15_3070);
    let met = 0;
    for (let i = 0; i < 160; i++) {
      const a = randomOut(r);
      const b = randomOut(r);
      const d = clashes(a, b);
      if (meet(written(a, 'a'), written(b, 'b'))) {
        met++;
        expect(d, `${JSON.stringify(a)} ${JSON.stringify(b)}`).toHaveLength(1);
      }
      // the same outputs in different top folders never clash
      const moved = clashes(a, { ...b, path: b.path.replace(/^out\//, 'elsewhere/') });
      expect(moved, `${JSON.stringify(a)} ${JSON.stringify(b)}`).toEqual([]);
    }
    expect(met).toBeGreaterThan(10); // the generator does reach clashes
  });
});
