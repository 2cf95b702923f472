// The integrity check of the line-oriented files a run appends to (the journal, the LLM cache's logs) and the
// cheap fingerprint of a row's input: 64 bits of FNV-1a in two 32-bit lanes with different offsets, one pass
// over the UTF-16 units. It catches truncation, splices and edits, not an adversary — these are the user's own
// files. FNV-1a: Fowler, Noll, Vo, http://www.isthe.com/chongo/tech/comp/fnv/ (32-bit prime 0x01000193).

/** The 64-bit FNV-1a of `text`, as two base-36 numbers joined by a dot. */
export function lineHash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(36) + '.' + (b >>> 0).toString(36);
}

const HASH_MEMBER = ',"h":"';

/** The line for a JSON object's text: the object with `h`, the hash of that text, appended as its last member. */
export function sealLine(json: string): string {
  return `${json.slice(0, -1)}${HASH_MEMBER}${lineHash(json)}"}`;
}

/** The JSON text a sealed line was made from, and its hash, or undefined when the line is not intact (the hash
 *  is checked on the line's own text, so nothing is re-serialised; `,"h":"` cannot occur inside a JSON string,
 *  whose quotes are escaped). */
export function unsealLine(line: string): { json: string; hash: string } | undefined {
  const at = line.lastIndexOf(HASH_MEMBER);
  if (at < 0 || !line.endsWith('"}')) return undefined;
  const hash = line.slice(at + HASH_MEMBER.length, -2);
  const json = line.slice(0, at) + '}';
  return lineHash(json) === hash ? { json, hash } : undefined;
}
