// The shapes of the `fake` sampler's catalogue (compiler/fake-catalogue.ts, generated from @faker-js/faker) and the
// fixed reference date faker's relative dates (`date.past`, `date.birthdate`, `git.commitDate`, …) are drawn
// around. faker defaults to "now"; a fixed date keeps every draw a pure function of its coordinates, so a rerun
// next year, a shard or a resume gives the same values.

/** The Synth type of a faker method's result: a primitive, a datetime (faker's `Date`), a list of numbers, or a record. */
export type FakeType = 'string' | 'int' | 'float' | 'bool' | 'datetime' | 'float[]' | { record: Record<string, 'string' | 'int' | 'float'> };

/** The moment faker's "past", "future", "recent", "soon" and birthdates are relative to (ISO 8601, UTC). */
export const FAKE_REF_DATE = '2025-01-01T00:00:00.000Z';
