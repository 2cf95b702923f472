// Content-addressed image files. Generated images are kept once, by the SHA-256 of their bytes:
//   the cache's copy:  <project>/.synth/cache/images/<ab>/<sha256>.<ext>  (safe to delete, like the whole cache)
//   the dataset's copy: <output folder>/images/<ab>/<sha256>.<ext>       (what the index rows point at)
// Both are written atomically (temp file + rename), so a kill never leaves a torn image, and writing the same
// image twice is harmless: same name, same bytes. The dataset's copy is a hard link to the cache's when the
// file system allows it, so an image costs its disk space once — and so a file edited in place in the output
// folder is edited in the cache too: a file is trusted only while its bytes hash to its name (`intact`); a
// damaged copy is removed and placed again from an intact one, or the image is asked for again.
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { IMAGE_EXTENSIONS, type ImageFormat } from './format.js';

export interface StoredImage {
  sha256: string;
  format: ImageFormat;
  width: number;
  height: number;
  bytes: number;
}

export function imageFileName(img: Pick<StoredImage, 'sha256' | 'format'>): string {
  return path.join(img.sha256.slice(0, 2), `${img.sha256}.${IMAGE_EXTENSIONS[img.format]}`);
}

export function sha256(buf: Buffer): string {
  return createHash('sha256').update(buf).digest('hex');
}

// Files found intact in this process, by path, size and mtime: each image is hashed once per run, not per use.
const checked = new Map<string, string>();

/**
 * Whether `file` exists and its bytes hash to `sha` (hex SHA-256). A file that exists but does not (edited,
 * truncated, replaced) is removed, so that it is placed again rather than trusted.
 */
export function intact(file: string, sha: string): boolean {
  let st;
  try {
    st = statSync(file);
  } catch {
    return false;
  }
  const stamp = `${st.size}/${st.mtimeMs}/${st.ino}`;
  if (checked.get(file) === stamp) return true;
  let ok = false;
  try {
    ok = sha256(readFileSync(file)) === sha;
  } catch {
    ok = false;
  }
  if (ok) checked.set(file, stamp);
  else {
    checked.delete(file);
    rmSync(file, { force: true });
  }
  return ok;
}

function atomicWrite(file: string, write: (tmp: string) => void): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    write(tmp);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** The store of a project: images live in its cache folder, beside the LLM answers that name them. */
export function projectImageStore(projectRoot: string): ImageStore {
  return new ImageStore(path.join(projectRoot, '.synth', 'cache'));
}

export class ImageStore {
  /** `cacheDir` is the project's `.synth/cache` */
  constructor(readonly cacheDir: string) {}

  pathOf(img: Pick<StoredImage, 'sha256' | 'format'>): string {
    return path.join(this.cacheDir, 'images', imageFileName(img));
  }

  /** Whether the cache holds the image intact (a damaged copy is removed: see `intact`). */
  has(img: Pick<StoredImage, 'sha256' | 'format'>): boolean {
    return intact(this.pathOf(img), img.sha256);
  }

  put(buf: Buffer, img: StoredImage): void {
    const file = this.pathOf(img);
    if (!intact(file, img.sha256)) atomicWrite(file, (tmp) => writeFileSync(tmp, buf));
  }

  /** Places the image under `outDir/images/` (hard link, else copy) unless an intact copy is there; returns
   *  its path relative to `outDir`. */
  materialize(img: Pick<StoredImage, 'sha256' | 'format'>, outDir: string): string {
    const rel = path.join('images', imageFileName(img));
    const dest = path.join(outDir, rel);
    if (!intact(dest, img.sha256)) {
      const src = this.pathOf(img);
      atomicWrite(dest, (tmp) => {
        try {
          linkSync(src, tmp);
        } catch {
          copyFileSync(src, tmp);
        }
      });
    }
    return rel.split(path.sep).join('/');
  }
}

/** A temp file's writer (`name.<pid>.<rand>.tmp`) is gone: the file will never be finished. */
function orphaned(name: string): boolean {
  const pid = Number(/\.(\d+)\.[0-9a-f]+\.tmp$/.exec(name)?.[1]);
  if (!pid || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false; // still running (another run sharing the folder)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Removes temp files killed runs left in an images folder (`<dir>/images/<ab>/*.tmp`); finished files stay. */
export function sweepImageTemps(dir: string): void {
  const root = path.join(dir, 'images');
  if (!existsSync(root)) return;
  for (const sub of readdirSync(root)) {
    const d = path.join(root, sub);
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const f of names) if (f.endsWith('.tmp') && orphaned(f)) rmSync(path.join(d, f), { force: true });
  }
}
