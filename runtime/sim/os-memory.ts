// The machine's memory, in one place so tests can see what a run compares its estimate against.
import * as os from 'node:os';

export function totalmem(): number {
  return os.totalmem();
}

/** The cgroup (container) memory limit Node reports, or 0 when there is none. */
export function constrainedMemory(): number {
  const f = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory;
  return (f ? f.call(process) : 0) ?? 0;
}
