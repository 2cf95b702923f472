// Objects keyed by names from a spec or from data: `obj[key] = v` with the key `__proto__` would set the object's
// prototype instead of a field (and lose the value silently). `setOwn` always makes an own, enumerable property.

/** Sets `key` on `obj` as an own enumerable property, whatever the key (including `__proto__`). Returns `obj`. */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): Record<string, T> {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
  return obj;
}
