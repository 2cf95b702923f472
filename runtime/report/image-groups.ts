// Image datasets (one line per image, with `<field>_group` naming the prompt's group and `<field>_sha256` the
// file's hash): the first SHOWN groups with their first SHOWN images and a caption, and how many images each
// group holds. Lines of one group are adjacent (a row's images are written together), so groups are counted as
// runs in one pass, in constant memory.
import { detached } from './category-counts.js';
import type { Row } from './row-stream.js';

export const SHOWN = 8;

export interface ImageGroupSummary {
  field: string;
  /** a text column shown as the group's caption */
  captionField: string | undefined;
  groups: number;
  images: number;
  minPerGroup: number;
  maxPerGroup: number;
  shown: { group: string; caption: string | undefined; images: { path: string; sha: string }[] }[];
}

export class ImageGroups {
  private field: string | undefined;
  private captionField: string | undefined;
  private decided = false;
  private current: string | undefined;
  private run = 0;
  private groups = 0;
  private images = 0;
  private min = Infinity;
  private max = 0;
  private shown: ImageGroupSummary['shown'] = [];

  add(row: Row): void {
    if (!this.decided) {
      this.decided = true;
      this.field = Object.keys(row).find((k) => `${k}_group` in row && `${k}_sha256` in row);
      const f = this.field;
      if (f) this.captionField = Object.keys(row).find((k) => !k.startsWith(f) && typeof row[k] === 'string' && k !== 'split');
    }
    const f = this.field;
    if (!f) return;
    const group = String(row[`${f}_group`] ?? '');
    this.images++;
    if (group !== this.current || this.groups === 0) {
      this.endRun();
      this.current = detached(group);
      this.groups++;
      if (this.shown.length < SHOWN) this.shown.push({ group: this.current, caption: this.captionField ? detached(String(row[this.captionField] ?? '').slice(0, 1000)) : undefined, images: [] });
    }
    this.run++;
    const last = this.shown[this.shown.length - 1];
    if (last && last.group === group && this.groups <= SHOWN && last.images.length < SHOWN) last.images.push({ path: detached(String(row[f] ?? '')), sha: detached(String(row[`${f}_sha256`] ?? '')) });
  }

  private endRun(): void {
    if (this.run === 0) return;
    this.min = Math.min(this.min, this.run);
    this.max = Math.max(this.max, this.run);
    this.run = 0;
  }

  summary(): ImageGroupSummary | undefined {
    if (!this.field || this.images === 0) return undefined;
    this.endRun();
    return { field: this.field, captionField: this.captionField, groups: this.groups, images: this.images, minPerGroup: this.min, maxPerGroup: this.max, shown: this.shown };
  }
}
