// The integrity check of the line-oriented files a run appends to (the journal, the LLM cache's logs) and the
// cheap fingerprint of a row's input: 64 bits of FNV-1a in two 32-bit lanes with different offsets, one pass
// over the UTF-16 units. It catches truncation, splices and edits, not an adversary — these are the user's own
// files. FNV-1a: Fowler, Noll, Vo, http://www.isthe.com/chongo/tech/comp/fnv/ (32-bit prime 0x01000193).

/** The 64-bit FNV-1a of `text`, as two base-36 numbers joined by a dot. */
export function lineHash(text: string): string {
  return hashOf(text, text.length, -1);
}

/** The hash of `text`'s first `end` units followed by the unit `last` (-1: none), without building that string. */
function hashOf(text: string, end: number, last: number): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  if (last >= 0) {
    a = Math.imul(a ^ last, 0x01000193);
    b = Math.imul(b ^ last, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(36) + '.' + (b >>> 0).toString(36);
}

const HASH_MEMBER = ',"h":"';
const CLOSE_BRACE = 0x7d;

/** The line for a JSON object's text: the object with `h`, the hash of that text, appended as its last member. */
export function sealLine(json: string): string {
  return `${json.slice(0, -1)}${HASH_MEMBER}${lineHash(json)}"}`;
}

/** Where a sealed line's `h` member starts when the line is intact (its hash matches the text before it, read as
 *  that text closed by `}`), else -1. The hash is checked on the line's own text, so nothing is re-serialised;
 *  `,"h":"` cannot occur inside a JSON string, whose quotes are escaped. */
export function sealedAt(line: string): number {
  const at = line.lastIndexOf(HASH_MEMBER);
  if (at < 0 || !line.endsWith('"}')) return -1;
  const hash = line.slice(at + HASH_MEMBER.length, -2);
  return hashOf(line, at, CLOSE_BRACE) === hash ? at : -1;
}

/** The JSON text a sealed line was made from, and its hash, or undefined when the line is not intact. */
export function unsealLine(line: string): { json: string; hash: string } | undefined {
  const at = sealedAt(line);
  return at < 0 ? undefined : { json: line.slice(0, at) + '}', hash: line.slice(at + HASH_MEMBER.length, -2) };
}
