// `source s = files("glob") { chunk N overlap M }`: the project's files matching a glob, read as UTF-8 text and
// split into token chunks. Every path — the glob's fixed prefix and every match, symlinks followed — must stay
// inside the project folder (SYN4002) unless --allow-outside-project. Order is by path, then chunk, and each
// item's key is `path#chunk`, so row identity does not depend on file-system order.
import * as fs from 'node:fs';
import { readFile, readlink } from 'node:fs/promises';
import * as path from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { synthError } from '../../base/diagnostics.js';
import { countTokens } from '../llm/tokens.js';
import { resolveProjectPath, type PathOptions } from '../paths.js';
import { chunkText, type ChunkOptions } from './chunk.js';

export interface SourceItem {
  /** project-relative path, with forward slashes */
  path: string;
  chunk: number;
  text: string;
  tokens: number;
  /** stable identity: `path#chunk` */
  key: string;
}

export interface FilesOptions extends PathOptions {
  /** split each file into token chunks (without it, one item per file) */
  chunk?: ChunkOptions;
  /** skip files larger than this (default 50 MB) */
  maxFileBytes?: number;
}

export interface FilesResult {
  items: SourceItem[];
  files: string[];
  /** files left out, with the reason (binary, too large) */
  skipped: Array<{ path: string; reason: string }>;
}

/** The static folder part of a glob (`docs/**\/*.md` → `docs`). */
function globBase(pattern: string): string {
  const parts = pattern.split('/');
  const fixed: string[] = [];
  for (const p of parts) {
    if (isDynamicPattern(p)) break;
    fixed.push(p);
  }
  return fixed.length === parts.length ? path.posix.dirname(pattern) : fixed.join('/') || '.';
}

/** Absolute paths of the files matching `pattern` under `root`, sorted, each checked by resolveProjectPath. */
export async function globProjectFiles(root: string, pattern: string, o: PathOptions = {}): Promise<string[]> {
  const rootAbs = path.resolve(root);
  const pat = pattern.replace(/\\/g, '/');
  // The fixed prefix must itself stay inside (catches `../x/*.md` and `/etc/*`) before anything is listed.
  resolveProjectPath(rootAbs, globBase(pat), o);
  // The glob leaves out a symbolic link whose target does not exist; without this, a moved or deleted document
  // would silently drop out of the dataset. The crawler is given a file system on which such a link resolves to
  // itself, so the pattern decides whether it is matched, and a matched one is refused (SYN5070).
  const broken = new Set<string>();
  const fsAdapter = {
    realpath: (p: string, cb: (e: NodeJS.ErrnoException | null, r: string) => void) =>
      fs.realpath(p, (e, r) => {
        if (e && (e.code === 'ENOENT' || e.code === 'ELOOP')) {
          broken.add(path.resolve(p));
          cb(null, p);
        } else cb(e, r);
      }),
    stat: (p: string, cb: (e: NodeJS.ErrnoException | null, s: fs.Stats) => void) => (broken.has(path.resolve(p)) ? fs.lstat(p, cb) : fs.stat(p, cb)),
  };
  const found = await glob(pat, { cwd: rootAbs, absolute: true, onlyFiles: true, dot: false, followSymbolicLinks: true, expandDirectories: false, fs: fsAdapter as never });
  for (const f of found.sort()) {
    if (!broken.has(path.resolve(f))) continue;
    const target = await readlink(f).catch(() => '?');
    throw synthError('SYN5070', { pattern: pat, path: path.relative(rootAbs, f).split(path.sep).join('/'), target });
  }
  const out = found.map((f) => resolveProjectPath(rootAbs, path.relative(rootAbs, f), o));
  out.sort();
  return out;
}

export async function loadFiles(root: string, pattern: string, o: FilesOptions = {}): Promise<FilesResult> {
  const rootAbs = path.resolve(root);
  const files = await globProjectFiles(rootAbs, pattern, o);
  const items: SourceItem[] = [];
  const skipped: FilesResult['skipped'] = [];
  const max = o.maxFileBytes ?? 50 * 1024 * 1024;
  for (const f of files) {
    const rel = path.relative(rootAbs, f).split(path.sep).join('/');
    let buf: Buffer;
    try {
      buf = await readFile(f);
    } catch (e) {
      throw synthError('SYN5017', { path: rel, reason: (e as Error).message });
    }
    if (buf.length > max) {
      skipped.push({ path: rel, reason: `larger than ${max} bytes` });
      continue;
    }
    if (buf.subarray(0, 8192).includes(0)) {
      skipped.push({ path: rel, reason: 'binary file' });
      continue;
    }
    let text = buf.toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    if (!o.chunk) {
      items.push({ path: rel, chunk: 0, text, tokens: countTokens(text), key: `${rel}#0` });
      continue;
    }
    for (const c of chunkText(text, o.chunk)) items.push({ path: rel, chunk: c.index, text: c.text, tokens: c.tokens, key: `${rel}#${c.index}` });
  }
  if (files.length === 0) throw synthError('SYN5007', { pattern, root: rootAbs });
  return { items, files: files.map((f) => path.relative(rootAbs, f).split(path.sep).join('/')), skipped };
}
