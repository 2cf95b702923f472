// PLACEHOLDER written by the lead so the dataset runtime compiles: the simulation engineer replaces this file
// with the real backends. Keep these two exports (add anything else): `runSim` and `simRows`.
import { SynthError } from '../../grammar/diagnostics.js';

export type SimRow = Record<string, number | boolean | number[]>;

export interface SimRunOptions {
  backend: 'cpu' | 'webgpu' | 'auto';
  workers?: number;
  onNotice?: (line: string) => void;
  worldRange?: [number, number];
}

export interface SimResultLike {
  stats: Record<string, number>;
}

export async function runSim(_stage: unknown, _opts: SimRunOptions): Promise<SimResultLike> {
  throw new SynthError('SYN6003', 'the simulation backends are not built yet');
}

/** Plain rows `{ world, agent, step, ...fields }` of the trajectory, or of one event kind. */
export function simRows(_result: SimResultLike, _kind: 'trajectory' | 'event', _event?: string): Iterable<SimRow> {
  return [];
}
