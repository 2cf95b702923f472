// What the LLM client accepts as an answer and how one endpoint's health is tracked: omitted optional fields are
// null (every structured-output mode), integers must be exact, a broken endpoint costs one request.
import { describe, expect, it } from 'vitest';
import { EndpointHealth } from '../../runtime/llm/health.js';
import { fillOmittedOptionals, inexactIntegers, numberLiterals, schemaErrors } from '../../runtime/llm/validate.js';
import { mulberry32 } from '../support/prng.js';

const MID = { type: 'object', properties: { k: { type: 'string' }, a: { type: ['integer', 'null'] }, b: { type: ['integer', 'null'] } }, required: ['k', 'a', 'b'], additionalProperties: false };
const OUTER = { type: 'object', properties: { name: { type: 'string' }, mid: { anyOf: [MID, { type: 'null' }] }, tags: { type: 'array', items: MID } }, required: ['name', 'mid', 'tags'], additionalProperties: false };

describe('answers', () => {
  it('omitted optional fields are null, at any depth; omitted required ones are still errors', () => {
    const v = fillOmittedOptionals(OUTER, { name: 'a', mid: { k: 'v' }, tags: [{ k: 'x', a: 1 }] });
    expect(v).toEqual({ name: 'a', mid: { k: 'v', a: null, b: null }, tags: [{ k: 'x', a: 1, b: null }] });
    expect(schemaErrors(OUTER, v)).toEqual([]);
    const missing = fillOmittedOptionals(OUTER, { mid: null, tags: [] });
    expect(schemaErrors(OUTER, missing)).toEqual(["(root): missing required field 'name'"]);
  });

  it('integers beyond ±(2^53 − 1) are errors with their pointer (JSON parsing already rounded them)', () => {
    const parsed = JSON.parse('{"name":"a","mid":{"k":"v","a":9007199254740993,"b":-12},"tags":[{"k":"x","a":1e300,"b":null}]}') as unknown;
    expect(inexactIntegers(OUTER, parsed)).toEqual([
      '/mid/a: must be an integer between -9007199254740991 and 9007199254740991 (exactly representable); got 9007199254740992',
      '/tags/0/a: must be an integer between -9007199254740991 and 9007199254740991 (exactly representable); got 1e+300',
    ]);
    expect(inexactIntegers(OUTER, JSON.parse('{"name":"a","mid":{"k":"v","a":9007199254740991,"b":null},"tags":[]}'))).toEqual([]);
  });

  it('an inexact integer is named by the digits the model wrote, not the rounded value (strings with digits skipped)', () => {
    const text = '{"name":"12345678901234567890 \\" 9007199254740993","mid":{"k":"v","a":12345678901234567890,"b":1},"tags":[{"k":"x","a":-9007199254740993,"b":null}]}';
    const parsed = JSON.parse(text) as unknown;
    expect(inexactIntegers(OUTER, parsed, '', numberLiterals(text))).toEqual([
      '/mid/a: must be an integer between -9007199254740991 and 9007199254740991 (exactly representable); got 12345678901234567890',
      '/tags/0/a: must be an integer between -9007199254740991 and 9007199254740991 (exactly representable); got -9007199254740993',
    ]);
  });

  it('numberLiterals: 500 seeded JSON documents — every number maps to a literal that parses to it', () => {
    const rng = mulberry32(53);
    const num = () => {
      const r = rng();
      if (r < 0.3) return String(Math.floor(rng() * 1e6) - 5e5);
      if (r < 0.6) return (rng() < 0.5 ? '-' : '') + String(1 + Math.floor(rng() * 9)) + Array.from({ length: 15 + Math.floor(rng() * 10) }, () => Math.floor(rng() * 10)).join('');
      if (r < 0.8) return (rng() * 1000 - 500).toFixed(1 + Math.floor(rng() * 6));
      return `${1 + Math.floor(rng() * 9)}e${rng() < 0.5 ? '-' : '+'}${Math.floor(rng() * 300)}`;
    };
    const str = () => JSON.stringify(Array.from({ length: Math.floor(rng() * 6) }, () => (rng() < 0.3 ? '\\"' : rng() < 0.5 ? num() : 'x')).join(''));
    for (let k = 0; k < 500; k++) {
      const items = Array.from({ length: 1 + Math.floor(rng() * 6) }, () => (rng() < 0.6 ? num() : str()));
      const text = `{"xs":[${items.join(',')}]}`;
      const lits = numberLiterals(text);
      const values = (JSON.parse(text) as { xs: unknown[] }).xs.filter((v): v is number => typeof v === 'number');
      for (const v of values) {
        expect(lits.has(v), text).toBe(true);
        expect(Number(lits.get(v)), text).toBe(v);
      }
      expect(lits.size).toBeLessThanOrEqual(new Set(values).size);
    }
  });
});

describe('endpoint health', () => {
  const cause = { kind: 'http' as const, key: 'http 401 h', message: 'HTTP 401 from h' };

  it('lets one request through until the endpoint has answered, then all', async () => {
    const h = new EndpointHealth({ model: 'm', host: 'h', maxConsecutiveFailures: 5 });
    const first = await h.admit();
    let second = false;
    const waiting = h.admit().then((done) => {
      second = true;
      return done;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(second).toBe(false);
    first(true);
    (await waiting)(true);
    expect(second).toBe(true);
    await h.admit(); // open now: no wait
  });

  it('an unusable endpoint fails every waiting and later call with SYN5020', async () => {
    const h = new EndpointHealth({ model: 'm', host: 'h', maxConsecutiveFailures: 5 });
    const probe = await h.admit();
    const waiting = h.admit();
    h.unusable(cause);
    probe(false);
    await expect(waiting).rejects.toMatchObject({ code: 'SYN5020', message: expect.stringContaining('HTTP 401 from h') });
    expect(() => h.check()).toThrow(expect.objectContaining({ code: 'SYN5020' }));
  });

  it('the breaker trips after N failures in a row; a success in between resets the count', () => {
    const h = new EndpointHealth({ model: 'm', host: 'h', maxConsecutiveFailures: 3 });
    h.requestEnded(false, cause);
    h.requestEnded(false, cause);
    h.requestEnded(true);
    h.requestEnded(false, cause);
    h.requestEnded(false, cause);
    expect(h.error).toBeUndefined();
    h.requestEnded(false, cause);
    expect(h.error).toMatchObject({ code: 'SYN5021', message: expect.stringContaining("model 'm': 3 requests in a row failed (the last: HTTP 401 from h)") });
  });
});
