// Document sources (files() + chunker) and path safety.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SynthError } from '../../base/diagnostics.js';
import { countTokens } from '../../runtime/llm/tokens.js';
import { resolveProjectPath } from '../../runtime/paths.js';
import { chunkText } from '../../runtime/sources/chunk.js';
import { globProjectFiles, loadFiles } from '../../runtime/sources/files.js';

let base: string;
let root: string;
let outside: string;
beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), 'synth-src-'));
  root = path.join(base, 'project');
  outside = path.join(base, 'outside');
  mkdirSync(path.join(root, 'docs', 'sub'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'secret.md'), 'outside text');
  writeFileSync(path.join(root, 'docs', 'a.md'), 'Alpha document. '.repeat(200));
  writeFileSync(path.join(root, 'docs', 'sub', 'b.md'), 'Beta {name} document <|endoftext|> with braces.\n');
  writeFileSync(path.join(root, 'docs', 'img.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1]));
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

const SAMPLE =
  'Résumé of the naïve café — 東京 and emoji 🚀🚀 included. ' +
  'The quick brown fox jumps over the lazy dog; {not_a_template} and \\{escaped\\}. ' +
  'Numbers 1234567890 and punctuation!!! ??? ...\n\n    indented code()\n';

describe('chunkText', () => {
  it('cuts verbatim slices of at most N tokens, with the declared overlap, never splitting a character', () => {
    const text = SAMPLE.repeat(40);
    for (const [tokens, overlap] of [
      [64, 8],
      [100, 0],
      [17, 16],
      [512, 64],
    ] as const) {
      const chunks = chunkText(text, { tokens, overlap });
      expect(chunks.length).toBeGreaterThan(1);
      for (const c of chunks) {
        expect(c.tokens).toBe(countTokens(c.text));
        expect(c.tokens).toBeLessThanOrEqual(tokens);
        expect(c.text).toBe(text.slice(c.start, c.end));
        expect(c.text).not.toContain('\uFFFD');
        // a chunk never starts or ends inside a surrogate pair
        expect(c.text.charCodeAt(0) >= 0xdc00 && c.text.charCodeAt(0) <= 0xdfff).toBe(false);
      }
      // coverage: consecutive chunks overlap or touch, and together span the whole text
      expect(chunks[0]!.start).toBe(0);
      expect(chunks.at(-1)!.end).toBe(text.length);
      for (let i = 1; i < chunks.length; i++) {
        expect(chunks[i]!.start).toBeLessThanOrEqual(chunks[i - 1]!.end);
        expect(chunks[i]!.start).toBeGreaterThan(chunks[i - 1]!.start);
        const shared = countTokens(text.slice(chunks[i]!.start, chunks[i - 1]!.end));
        expect(shared).toBeLessThanOrEqual(overlap + 1);
        if (overlap === 0) expect(chunks[i]!.start).toBe(chunks[i - 1]!.end);
      }
      // chunks are nearly full (greedy)
      const full = chunks.slice(0, -1).filter((c) => c.tokens >= tokens * 0.8).length;
      expect(full / Math.max(1, chunks.length - 1)).toBeGreaterThan(0.9);
    }
  });

  it('keeps document text as data and handles pathological input', () => {
    const [c] = chunkText('Hello {name}, <|endoftext|> \\{x}', { tokens: 512, overlap: 64 });
    expect(c!.text).toBe('Hello {name}, <|endoftext|> \\{x}');
    expect(chunkText('', { tokens: 10, overlap: 0 })).toEqual([]);
    // one enormous "word": split at code points, still within the limit
    const long = '🚀'.repeat(3000) + 'x'.repeat(5000);
    const parts = chunkText(long, { tokens: 50, overlap: 5 });
    for (const p of parts) {
      expect(p.tokens).toBeLessThanOrEqual(50);
      expect(p.text).not.toContain('\uFFFD');
    }
    expect(() => chunkText('x', { tokens: 10, overlap: 10 })).toThrow(SynthError);
    expect(() => chunkText('x', { tokens: 0, overlap: 0 })).toThrow(/SYN5007|chunk size/);
  });
});

describe('files()', () => {
  it('globs inside the project in path order, skips binary files, keys items by path#chunk', async () => {
    const r = await loadFiles(root, 'docs/**/*.md', { chunk: { tokens: 64, overlap: 8 } });
    expect(r.files).toEqual(['docs/a.md', 'docs/img.md', 'docs/sub/b.md']);
    expect(r.skipped).toEqual([{ path: 'docs/img.md', reason: 'binary file' }]);
    const a = r.items.filter((x) => x.path === 'docs/a.md');
    expect(a.length).toBeGreaterThan(5);
    expect(a.map((x) => x.key)).toEqual(a.map((_, i) => `docs/a.md#${i}`));
    const b = r.items.find((x) => x.path === 'docs/sub/b.md')!;
    expect(b.text).toBe('Beta {name} document <|endoftext|> with braces.\n');
    expect(b.key).toBe('docs/sub/b.md#0');
  });

  it('refuses globs and matches that leave the project', async () => {
    await expect(globProjectFiles(root, '../outside/*.md')).rejects.toThrow(/SYN4002|outside the project/);
    await expect(globProjectFiles(root, path.join(outside, '*.md'))).rejects.toThrow(SynthError);
    symlinkSync(outside, path.join(root, 'docs', 'link'));
    try {
      await expect(loadFiles(root, 'docs/**/*.md')).rejects.toThrow(/docs\/link\/secret\.md/);
      const ok = await globProjectFiles(root, 'docs/link/*.md', { allowOutside: true });
      expect(ok).toHaveLength(1);
    } finally {
      rmSync(path.join(root, 'docs', 'link'));
    }
    await expect(loadFiles(root, 'nothing/*.md')).rejects.toThrow(/matches no file/);
  });
});

describe('resolveProjectPath', () => {
  it('accepts paths inside the project, existing or not', () => {
    expect(resolveProjectPath(root, 'out/tickets.jsonl')).toBe(path.join(root, 'out', 'tickets.jsonl'));
    expect(resolveProjectPath(root, 'docs/../out/x.csv')).toBe(path.join(root, 'out', 'x.csv'));
    expect(resolveProjectPath(root, path.join(root, 'docs', 'a.md'))).toBe(path.join(root, 'docs', 'a.md'));
    expect(resolveProjectPath(root, '.')).toBe(root);
  });

  it('refuses .., absolute paths and symlinks (existing or dangling) that lead outside, unless allowed', () => {
    const refuse = (p: string) => {
      let err: unknown;
      try {
        resolveProjectPath(root, p);
      } catch (e) {
        err = e;
      }
      expect(err, p).toBeInstanceOf(SynthError);
      expect((err as SynthError).code).toBe('SYN4002');
      expect((err as SynthError).message).toContain(root);
    };
    refuse('../outside/secret.md');
    refuse('out/../../outside/x.jsonl');
    refuse(path.join(outside, 'x.jsonl'));
    refuse('/etc/passwd');
    refuse('a\0b');
    symlinkSync(outside, path.join(root, 'out-link'));
    symlinkSync(path.join(outside, 'not-yet', 'file.jsonl'), path.join(root, 'dangling.jsonl'));
    symlinkSync(path.join(root, 'docs'), path.join(root, 'inner-link'));
    try {
      refuse('out-link/new.jsonl');
      refuse('out-link/deep/er/new.jsonl');
      refuse('dangling.jsonl');
      expect(resolveProjectPath(root, 'inner-link/a.md')).toBe(path.join(root, 'inner-link', 'a.md'));
      expect(resolveProjectPath(root, 'out-link/new.jsonl', { allowOutside: true })).toBe(path.join(root, 'out-link', 'new.jsonl'));
      expect(resolveProjectPath(root, '../outside/secret.md', { allowOutside: true })).toBe(path.join(outside, 'secret.md'));
    } finally {
      for (const l of ['out-link', 'dangling.jsonl', 'inner-link']) rmSync(path.join(root, l));
    }
  });
});
