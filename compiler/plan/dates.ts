// Values of the types `date` and `datetime`. At run time they are ISO 8601 text in one canonical form each, so
// rows write them to JSON and CSV as they are, equal values are equal strings, and text order is time order:
//   date      `YYYY-MM-DD` (a calendar day, no zone)
//   datetime  `YYYY-MM-DDTHH:MM:SS.sssZ` (an instant in UTC, millisecond precision: `Date.prototype.toISOString`)
// Years are 0000–9999 (four digits keep text order equal to time order). Parquet stores them as DATE (days since
// 1970-01-01) and TIMESTAMP (milliseconds since 1970-01-01T00:00:00Z, UTC); runtime/dataset/parquet.ts converts.

const DAY_MS = 86_400_000;
/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z: the instants a four-digit year can say. */
const FIRST_MS = -62_167_219_200_000;
const LAST_MS = 253_402_300_799_999;

/** The canonical `YYYY-MM-DD` of a milliseconds-since-epoch instant (its UTC day). */
function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * The canonical date of `text` (`2024-02-29`), or undefined when it is not a real calendar day written as
 * `YYYY-MM-DD` (ISO 8601 extended format; `2023-02-29` and `2024-1-5` are not dates).
 */
export function parseDate(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = utc(y, mo - 1, d);
  return dayOf(ms) === text ? text : undefined;
}

/**
 * The canonical datetime of `text`, or undefined when it is not ISO 8601 (RFC 3339): `2024-03-05T09:30:00Z`,
 * `2024-03-05T09:30:00.250+02:00`, `2024-03-05T09:30Z`, or a bare date `2024-03-05` (midnight UTC). A time without
 * a zone is refused: JavaScript would read it in the machine's local zone, so the value would depend on the machine.
 */
export function parseDatetime(text: string): string | undefined {
  const day = parseDate(text);
  if (day !== undefined) return day + 'T00:00:00.000Z';
  const m = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m || parseDate(m[1]!) === undefined) return undefined;
  const [h, mi, s] = [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return undefined;
  const zone = m[6]!.toUpperCase();
  if (zone !== 'Z' && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) return undefined;
  const frac = m[5] ? Math.floor(Number(m[5]) * 1000) : 0;
  const [y, mo, d] = m[1]!.split('-').map(Number) as [number, number, number];
  let ms = utc(y, mo - 1, d, h, mi, s, frac);
  if (zone !== 'Z') ms -= (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  return ms >= FIRST_MS && ms <= LAST_MS ? new Date(ms).toISOString() : undefined;
}

/** `Date.UTC` without its two-digit-year quirk (years 0–99 are not 1900–1999 here). */
function utc(y: number, mo: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const t = new Date(0);
  t.setUTCFullYear(y, mo, d);
  t.setUTCHours(h, mi, s, ms);
  return t.getTime();
}

/** Days since 1970-01-01 of a canonical date (Parquet's DATE). */
export function dateToDays(date: string): number {
  const [y, mo, d] = date.split('-').map(Number) as [number, number, number];
  return Math.round(utc(y, mo - 1, d) / DAY_MS);
}

/** The canonical date `days` days after 1970-01-01 (undefined outside years 0000–9999). */
export function daysToDate(days: number): string | undefined {
  const ms = days * DAY_MS;
  return Number.isInteger(days) && ms >= FIRST_MS && ms <= LAST_MS ? dayOf(ms) : undefined;
}

/** Milliseconds since the epoch of a canonical datetime (Parquet's TIMESTAMP, MILLIS, UTC). */
export function datetimeToMillis(datetime: string): number {
  return Date.parse(datetime);
}

/** The canonical datetime `ms` milliseconds after the epoch (undefined outside years 0000–9999). */
export function millisToDatetime(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= FIRST_MS && ms <= LAST_MS ? new Date(Math.floor(ms)).toISOString() : undefined;
}

/** The UTC day of a canonical datetime. */
export function datetimeToDate(datetime: string): string {
  return datetime.slice(0, 10);
}

/**
 * `value` with every `date` and `datetime` in canonical form, found through its JSON Schema (`format: date` /
 * `date-time`, as json-schema.ts writes them, through objects, lists, optionals and `anyOf`). A model may answer
 * `2024-03-05T10:00:00+02:00`; the row holds `2024-03-05T08:00:00.000Z`, so equal instants are equal text and
 * comparisons order them by time. Text that does not parse is left as it is (the schema validation reports it).
 */
export function canonicalDates(schema: unknown, value: unknown): unknown {
  if (!schema || typeof schema !== 'object' || value === null || value === undefined) return value;
  const s = schema as { format?: unknown; properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown[] };
  if (typeof value === 'string') {
    if (s.format === 'date') return parseDate(value) ?? parseDatetime(value)?.slice(0, 10) ?? value;
    if (s.format === 'date-time') return parseDatetime(value) ?? value;
    if (Array.isArray(s.anyOf)) for (const alt of s.anyOf) if (canonicalDates(alt, value) !== value) return canonicalDates(alt, value);
    return value;
  }
  if (Array.isArray(value)) return s.items ? value.map((v) => canonicalDates(s.items, v)) : value;
  if (typeof value === 'object') {
    if (Array.isArray(s.anyOf)) return s.anyOf.reduce<unknown>((v, alt) => canonicalDates(alt, v), value);
    if (!s.properties) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = Object.hasOwn(s.properties, k) ? canonicalDates(s.properties[k], v) : v;
    return out;
  }
  return value;
}
