// How a row with image fields is written. A prompt that returns `image` yields an *image set* (the images of one
// call, with the call's group id, model and seed); at write time the row becomes one line per image, each line
// naming one file, and the files are placed under the output folder. For a field `image`:
//   image          images/ab/ab12….png   (relative to the output file)
//   image_sha256   hash of the file's bytes (also its name)
//   image_group    same prompt text → same group: StableRep's positives
//   image_index    0 … n-1 within the call
//   image_model    the model as the endpoint reported it
//   image_seed     the seed sent (null when the model block sets none)
//   image_width, image_height   read from the file
// Lines of one row share every other column, its split included, so a group never straddles two splits.
import type { Value } from '../../compiler/plan/eval.js';
import type { ImageStore, StoredImage } from './store.js';

/** The runtime value of an `image` prompt call (JSON, so it can travel through the evaluator and the cache). */
export interface ImageSet {
  $images: StoredImage[];
  group: string;
  model: string;
  seed: number | null;
}

export function isImageSet(v: Value | undefined): v is Value & ImageSet {
  return !!v && typeof v === 'object' && !Array.isArray(v) && Array.isArray((v as Record<string, Value>)['$images']);
}

/**
 * Expands `row` into one line per image of its image fields (fields zip: line k takes image k of each) and
 * materialises the files under `outDir`. Returns the lines and the files they name (relative to `outDir`).
 */
export function expandImageRow(row: Record<string, Value>, fields: readonly string[], store: ImageStore, outDir: string): { lines: Record<string, Value>[]; files: string[] } {
  const sets = fields.map((f) => (isImageSet(row[f]) ? (row[f] as unknown as ImageSet) : undefined));
  const n = Math.max(1, ...sets.map((s) => s?.$images.length ?? 0));
  const lines: Record<string, Value>[] = [];
  const files = new Set<string>();
  for (let k = 0; k < n; k++) {
    const line: Record<string, Value> = {};
    for (const [key, v] of Object.entries(row)) {
      const at = fields.indexOf(key);
      if (at < 0) {
        line[key] = v;
        continue;
      }
      const set = sets[at];
      const img = set?.$images[k];
      if (!set || !img) {
        Object.assign(line, imageColumns(key, null, null, k));
        continue;
      }
      const file = store.materialize(img, outDir);
      files.add(file);
      Object.assign(line, imageColumns(key, { set, img }, file, k));
    }
    lines.push(line);
  }
  return { lines, files: [...files] };
}

function imageColumns(field: string, v: { set: ImageSet; img: StoredImage } | null, file: string | null, index: number): Record<string, Value> {
  return {
    [field]: file,
    [`${field}_sha256`]: v?.img.sha256 ?? null,
    [`${field}_group`]: v?.set.group ?? null,
    [`${field}_index`]: v ? index : null,
    [`${field}_model`]: v?.set.model ?? null,
    [`${field}_seed`]: v?.set.seed ?? null,
    [`${field}_width`]: v?.img.width ?? null,
    [`${field}_height`]: v?.img.height ?? null,
  };
}
