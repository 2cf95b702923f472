// Makes JSON values that satisfy a JSON Schema (the subset Synth emits and structured-output endpoints accept),
// from a seeded PRNG, for the fake OpenAI server. Also makes values that *violate* a schema, for fault injection.
import RandExpModule from 'randexp';

// randexp is CommonJS (`module.exports = RandExp`); its typings describe the ES default export.
const RandExp = RandExpModule as unknown as typeof RandExpModule.default;

import type { Rng } from './prng.js';


type S = Record<string, unknown>;

const WORDS = (
  'the a router modem customer ticket support network error light blinking since yesterday please help account ' +
  'billing invoice refund upgrade plan mobile app crash login password reset slow connection fiber cable ' +
  'replace order delivery late package missing screen update version settings restart issue again urgent ' +
  'thanks hello team service outage office home weekend morning evening data sync backup storage'
).split(' ');

const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

function resolveRef(root: S, ref: string): S {
  if (!ref.startsWith('#/')) return {};
  let cur: unknown = root;
  for (const part of ref.slice(2).split('/')) cur = (cur as S | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return (cur as S) ?? {};
}

function text(rng: Rng, min: number, max: number): string {
  const target = int(rng, min, Math.max(min, Math.min(max, min + 60)));
  if (target === 0) return '';
  let s = '';
  while (s.length < target) s += (s ? ' ' : '') + WORDS[Math.floor(rng() * WORDS.length)];
  s = s.slice(0, target);
  if (s.endsWith(' ')) s = s.slice(0, -1) + 'x';
  return s;
}

function formatted(rng: Rng, format: string): string | undefined {
  const h = () => Math.floor(rng() * 16).toString(16);
  switch (format) {
    case 'email':
      return `${WORDS[int(rng, 0, WORDS.length - 1)]}${int(rng, 1, 999)}@example.com`;
    case 'date':
      return `20${int(rng, 10, 29)}-${String(int(rng, 1, 12)).padStart(2, '0')}-${String(int(rng, 1, 28)).padStart(2, '0')}`;
    case 'date-time':
      return `20${int(rng, 10, 29)}-${String(int(rng, 1, 12)).padStart(2, '0')}-${String(int(rng, 1, 28)).padStart(2, '0')}T${String(int(rng, 0, 23)).padStart(2, '0')}:${String(int(rng, 0, 59)).padStart(2, '0')}:00Z`;
    case 'uri':
    case 'url':
      return `https://example.com/${WORDS[int(rng, 0, WORDS.length - 1)]}/${int(rng, 1, 9999)}`;
    case 'uuid':
      return Array.from({ length: 32 }, h)
        .join('')
        .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    default:
      return undefined;
  }
}

function patterned(rng: Rng, pattern: string, min: number, max: number): string {
  const re = new RegExp(pattern, 'u');
  const gen = new RandExp(pattern);
  gen.max = Math.max(1, Math.min(max, 40));
  gen.randInt = (a: number, b: number) => int(rng, a, b);
  let last = '';
  for (let i = 0; i < 50; i++) {
    last = gen.gen();
    if (last.length >= min && last.length <= max && re.test(last)) return last;
  }
  return last;
}

function typeOf(s: S, rng: Rng): string | undefined {
  const t = s['type'];
  if (Array.isArray(t)) {
    const nonNull = t.filter((x) => x !== 'null') as string[];
    if (nonNull.length === 0) return 'null';
    if (t.includes('null') && rng() < 0.1) return 'null';
    return nonNull[Math.floor(rng() * nonNull.length)];
  }
  if (typeof t === 'string') return t;
  if (s['properties']) return 'object';
  if (s['items']) return 'array';
  return undefined;
}

/** A value valid under `schema` (`root` resolves `$ref`s). */
export function generate(schema: unknown, rng: Rng, root: S = schema as S, depth = 0): unknown {
  let s = (schema ?? {}) as S;
  if (typeof s['$ref'] === 'string') s = { ...resolveRef(root, s['$ref']), ...Object.fromEntries(Object.entries(s).filter(([k]) => k !== '$ref')) };
  if ('const' in s) return s['const'];
  if (Array.isArray(s['enum'])) return (s['enum'] as unknown[])[Math.floor(rng() * (s['enum'] as unknown[]).length)];
  const branches = (s['anyOf'] ?? s['oneOf']) as unknown[] | undefined;
  if (Array.isArray(branches) && branches.length) {
    const nonNull = branches.filter((b) => (b as S)['type'] !== 'null');
    const pick = nonNull.length && rng() >= 0.1 ? nonNull : branches;
    return generate(pick[Math.floor(rng() * pick.length)], rng, root, depth + 1);
  }
  if (Array.isArray(s['allOf']) && (s['allOf'] as unknown[]).length) {
    return generate(Object.assign({}, ...(s['allOf'] as S[]), { allOf: undefined }), rng, root, depth + 1);
  }
  switch (typeOf(s, rng)) {
    case 'null':
      return null;
    case 'boolean':
      return rng() < 0.5;
    case 'integer': {
      let lo = typeof s['minimum'] === 'number' ? Math.ceil(s['minimum']) : typeof s['exclusiveMinimum'] === 'number' ? Math.floor(s['exclusiveMinimum']) + 1 : 0;
      let hi = typeof s['maximum'] === 'number' ? Math.floor(s['maximum']) : typeof s['exclusiveMaximum'] === 'number' ? Math.ceil(s['exclusiveMaximum']) - 1 : lo + 100;
      if (typeof s['minimum'] !== 'number' && typeof s['exclusiveMinimum'] !== 'number' && hi < lo) lo = hi - 100;
      if (hi < lo) hi = lo;
      const m = typeof s['multipleOf'] === 'number' && s['multipleOf'] > 0 ? s['multipleOf'] : 1;
      const k = int(rng, Math.ceil(lo / m), Math.max(Math.ceil(lo / m), Math.floor(hi / m)));
      return k * m;
    }
    case 'number': {
      const lo = typeof s['minimum'] === 'number' ? s['minimum'] : typeof s['exclusiveMinimum'] === 'number' ? s['exclusiveMinimum'] : 0;
      const hi = typeof s['maximum'] === 'number' ? s['maximum'] : typeof s['exclusiveMaximum'] === 'number' ? s['exclusiveMaximum'] : lo + 100;
      let v = Math.round((lo + rng() * (hi - lo)) * 100) / 100;
      if (v <= lo && typeof s['exclusiveMinimum'] === 'number') v = lo + (hi - lo) / 2;
      if (v >= hi && typeof s['exclusiveMaximum'] === 'number') v = lo + (hi - lo) / 2;
      return Math.min(hi, Math.max(lo, v));
    }
    case 'string': {
      const min = typeof s['minLength'] === 'number' ? s['minLength'] : 1;
      const max = typeof s['maxLength'] === 'number' ? s['maxLength'] : Math.max(min, 60);
      if (typeof s['pattern'] === 'string') return patterned(rng, s['pattern'], min, max);
      if (typeof s['format'] === 'string') {
        const f = formatted(rng, s['format']);
        if (f !== undefined && f.length >= min && f.length <= max) return f;
      }
      return text(rng, min, max);
    }
    case 'array': {
      const min = typeof s['minItems'] === 'number' ? s['minItems'] : depth > 4 ? 0 : 1;
      const max = typeof s['maxItems'] === 'number' ? s['maxItems'] : min + 3;
      const n = int(rng, min, Math.max(min, Math.min(max, min + 3)));
      const out: unknown[] = [];
      const seen = new Set<string>();
      for (let i = 0, tries = 0; out.length < n && tries < n * 20; tries++) {
        const v = generate(s['items'] ?? {}, rng, root, depth + 1);
        if (s['uniqueItems']) {
          const k = JSON.stringify(v);
          if (seen.has(k)) continue;
          seen.add(k);
        }
        out.push(v);
        i++;
      }
      return out;
    }
    case 'object': {
      const props = (s['properties'] ?? {}) as Record<string, unknown>;
      const required = new Set((s['required'] as string[] | undefined) ?? []);
      const out: Record<string, unknown> = {};
      for (const [k, ps] of Object.entries(props)) if (required.has(k) || rng() < 0.7) out[k] = generate(ps, rng, root, depth + 1);
      return out;
    }
    default:
      return text(rng, 3, 20);
  }
}

/** A value that is well-formed JSON but violates `schema` (for the `schema` fault). */
export function violate(schema: unknown, rng: Rng): unknown {
  const root = (schema ?? {}) as S;
  const valid = generate(root, rng);
  if (valid && typeof valid === 'object' && !Array.isArray(valid)) {
    const props = (root['properties'] ?? {}) as Record<string, S>;
    const required = (root['required'] as string[] | undefined) ?? [];
    const o = { ...(valid as Record<string, unknown>) };
    const typed = Object.keys(props).filter((k) => props[k]?.['type'] !== undefined || props[k]?.['enum'] !== undefined);
    const r = rng();
    if (required.length && (r < 0.4 || typed.length === 0)) {
      delete o[required[Math.floor(rng() * required.length)]!];
      return o;
    }
    if (typed.length) {
      const k = typed[Math.floor(rng() * typed.length)]!;
      const t = props[k]!['type'];
      const types = Array.isArray(t) ? t : [t];
      o[k] = types.includes('string') ? { wrong: 'type' } : 'not a ' + String(types[0] ?? 'value');
      return o;
    }
    return 'not an object';
  }
  if (typeof valid === 'string') return 12345;
  return { unexpected: 'shape' };
}
