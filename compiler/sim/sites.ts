// Random-draw and emit sites: every `uniform/normal/randint/bernoulli` call and every `emit` gets a fixed
// number from one walk of the sim (state initialisers in order, then rules in order, depth first). Both code
// generators use these numbers, so a draw's key (seed, world, agent, step, site) is the same on CPU and GPU.
import type * as A from '../../grammar/ast.js';

const RANDOM_DRAWS: Record<string, number> = { uniform: 1, normal: 2, randint: 1, bernoulli: 1 };
const cache = new WeakMap<A.SimDecl, Map<object, number>>();

/**
 * The site number of every random draw (a draw taking two uniforms takes two numbers) and every `emit` of a
 * sim, keyed by AST node; cached per sim.
 */
export function siteMap(sim: A.SimDecl): Map<object, number> {
  const hit = cache.get(sim);
  if (hit) return hit;
  const sites = new Map<object, number>();
  let n = 0;
  const visit = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    const node = x as { kind?: string; callee?: A.Ident };
    for (const [k, v] of Object.entries(x)) if (k !== 'span') visit(v);
    if (node.kind === 'Call' && node.callee && RANDOM_DRAWS[node.callee.name]) {
      sites.set(node, n);
      n += RANDOM_DRAWS[node.callee.name]!;
    } else if (node.kind === 'Emit') sites.set(node, n++);
  };
  for (const s of sim.states) visit(s.init);
  for (const r of sim.rules) visit(r);
  cache.set(sim, sites);
  return sites;
}
