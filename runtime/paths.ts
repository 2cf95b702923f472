// Path safety for everything a spec names on disk (files() globs, output paths): a path must stay inside the
// project folder, after `..` is resolved and after symlinks are followed, unless the user passed
// --allow-outside-project. Refusals are SYN4002.
import { lstatSync, readlinkSync, realpathSync } from 'node:fs';
import * as path from 'node:path';
import { synthError } from '../base/diagnostics.js';

export interface PathOptions {
  /** permit paths outside the project (the CLI's --allow-outside-project) */
  allowOutside?: boolean;
}

/** true when `p` is `root` or below it (both absolute and normalised) */
export function isInside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..' + path.sep) && rel !== '..' && !path.isAbsolute(rel));
}

/**
 * Where `p` really lands: the real path of its longest existing prefix (symlinks followed, dangling ones too)
 * with the not-yet-existing rest appended.
 */
export function realTarget(p: string, depth = 0): string {
  if (depth > 40) throw new Error(`too many levels of symbolic links: ${p}`);
  let cur = path.resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return path.join(realpathSync(cur), ...rest);
    } catch {
      try {
        if (lstatSync(cur).isSymbolicLink()) {
          return realTarget(path.join(path.resolve(path.dirname(cur), readlinkSync(cur)), ...rest), depth + 1);
        }
      } catch {
        // does not exist: look at the parent
      }
      const parent = path.dirname(cur);
      if (parent === cur) return path.join(cur, ...rest);
      rest.unshift(path.basename(cur));
      cur = parent;
    }
  }
}

/**
 * Resolves `p` (relative to `root`, or absolute) to an absolute path, refusing with SYN4002 any path that
 * leaves the project folder — through `..`, by being absolute elsewhere, or through a symlink (existing or
 * dangling) that points outside. Paths that do not exist yet are checked through their existing parent.
 */
export function resolveProjectPath(root: string, p: string, o: PathOptions = {}): string {
  const rootAbs = path.resolve(root);
  if (p.includes('\0')) throw synthError('SYN4002', { path: p.replace(/\0/g, '\\0'), root: rootAbs });
  const abs = path.resolve(rootAbs, p);
  if (o.allowOutside) return abs;
  let rootReal: string;
  try {
    rootReal = realpathSync(rootAbs);
  } catch {
    rootReal = rootAbs;
  }
  if (!isInside(rootAbs, abs) || !isInside(rootReal, realTarget(abs))) throw synthError('SYN4002', { path: p, root: rootAbs });
  return abs;
}
