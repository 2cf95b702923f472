// The swarm rules of swarm.synth written by hand in JavaScript, as a performance-minded developer would: state
// in Float32Arrays (structure of arrays), a loop over worlds outside the loop over steps (a world's 32 agents
// stay in cache), the same counter-based random numbers, Math.sin/cos/sqrt/log in double precision (rounded
// to f32 when stored), worker threads over blocks of worlds. It writes the first N deaths, in world, step,
// agent order, as JSON lines — what `synth run swarm.synth -n N` writes.
//   node bench/sim/swarm/hand-written.js [--threads 2] [--limit 1000] [--out deaths.jsonl]
import { writeFileSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const WORLDS = 4096;
const A = 32;
const STEPS = 300;
const SEED = 7;
const DT = 0.1;
const ARENA = 100;
const RADIUS = 5;
const OBSERVE = 50;
const imul = Math.imul;
const fround = Math.fround;

function mix(h) {
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
// the hash of (seed, world, agent, step, site): its first two rounds depend only on the world and site
const siteKey = (site, w) => mix((mix((SEED ^ imul(site + 1, 0x9e3779b9)) >>> 0) ^ w) >>> 0);
const draw = (k, a, t) => mix((mix((k + imul(a, 0x27d4eb2d)) >>> 0) ^ imul(t, 0x165667b1)) >>> 0);
const u01 = (h) => (h >>> 8) * 5.9604644775390625e-8;
const normal = (h1, h2, m, s) => m + s * Math.sqrt(-2 * Math.log(((h1 >>> 8) + 1) * 5.9604644775390625e-8)) * Math.cos(6.283185307179586 * u01(h2));

/** Simulates worlds [w0, w1): returns the deaths (world, agent, step triples) and counts. */
function simulate(w0, w1) {
  const px = new Float32Array(A), py = new Float32Array(A), heading = new Float32Array(A), speed = new Float32Array(A), energy = new Float32Array(A);
  const alive = new Uint8Array(A);
  const sx = new Float32Array(A), sy = new Float32Array(A), salive = new Uint8Array(A);
  const nObs = Math.floor(STEPS / OBSERVE) + 1;
  const obs = new Float32Array((w1 - w0) * nObs * A * 3);
  const deaths = [];
  let bumps = 0;
  const observe = (wi, s) => {
    for (let a = 0; a < A; a++) {
      const o = ((wi * nObs + s) * A + a) * 3;
      obs[o] = px[a];
      obs[o + 1] = py[a];
      obs[o + 2] = energy[a];
    }
  };
  for (let w = w0; w < w1; w++) {
    const k = [0, 1, 2, 3, 4, 5].map((s) => siteKey(s, w));
    for (let a = 0; a < A; a++) {
      px[a] = 100 * u01(draw(k[0], a, 0));
      py[a] = 100 * u01(draw(k[1], a, 0));
      heading[a] = 6.2831855 * u01(draw(k[2], a, 0));
      speed[a] = normal(draw(k[3], a, 0), draw(k[4], a, 0), 1.5, 0.3);
      energy[a] = 10 + 20 * u01(draw(k[5], a, 0));
      alive[a] = 1;
    }
    const wi = w - w0;
    observe(wi, 0);
    const k6 = siteKey(6, w), k7 = siteKey(7, w);
    for (let t = 0; t < STEPS; t++) {
      sx.set(px);
      sy.set(py);
      salive.set(alive);
      for (let a = 0; a < A; a++) {
        if (!alive[a]) continue;
        const x = px[a], y = py[a];
        let crowd = 0, nearest = Infinity;
        for (let j = 0; j < A; j++) {
          if (j === a || !salive[j]) continue;
          const dx = sx[j] - x, dy = sy[j] - y;
          const d = Math.sqrt(dx * dx + dy * dy);
          if (d < RADIUS) crowd++;
          if (d < nearest) nearest = d;
        }
        if (nearest === Infinity) nearest = 1e9;
        let h = heading[a] + normal(draw(k6, a, t), draw(k7, a, t), 0, 0.1) + (crowd > 3 ? 0.5 : 0);
        let nx = x + Math.cos(h) * speed[a] * DT;
        let ny = y + Math.sin(h) * speed[a] * DT;
        const e = energy[a] - 0.05 * speed[a] - crowd * 0.01;
        if (nearest < 0.5) bumps++;
        if (e < 0) {
          alive[a] = 0;
          deaths.push(w, a, t);
        } else if (nx < 0 || nx > ARENA || ny < 0 || ny > ARENA) {
          h += 3.1415927;
          nx = Math.min(Math.max(nx, 0), ARENA);
          ny = Math.min(Math.max(ny, 0), ARENA);
        }
        heading[a] = h;
        px[a] = nx;
        py[a] = ny;
        energy[a] = e;
      }
      if ((t + 1) % OBSERVE === 0) observe(wi, (t + 1) / OBSERVE);
    }
  }
  return { deaths, bumps, observed: obs.length };
}

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

if (isMainThread) {
  const threads = Number(arg('threads', '1'));
  const limit = Number(arg('limit', '1000'));
  const out = arg('out', 'deaths.jsonl');
  const t0 = performance.now();
  const per = Math.ceil(WORLDS / threads);
  const blocks = [];
  for (let w = 0; w < WORLDS; w += per) blocks.push([w, Math.min(WORLDS, w + per)]);
  const results = threads === 1 ? [simulate(0, WORLDS)] : await Promise.all(blocks.map(([w0, w1]) => new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { w0, w1 } });
    worker.once('message', resolve);
    worker.once('error', reject);
  })));
  // deaths are in world, step, agent order within each block already (worlds outermost, then steps, then agents)
  const rows = [];
  for (const r of results) for (let i = 0; i < r.deaths.length && rows.length < limit; i += 3) rows.push(JSON.stringify({ world: r.deaths[i], agent: r.deaths[i + 1], step: r.deaths[i + 2] }));
  writeFileSync(out, rows.join('\n') + '\n');
  const deaths = results.reduce((s, r) => s + r.deaths.length / 3, 0);
  const bumps = results.reduce((s, r) => s + r.bumps, 0);
  console.log(JSON.stringify({ threads, deaths, bumps, rows: rows.length, ms: Math.round(performance.now() - t0) }));
} else {
  const { w0, w1 } = workerData;
  parentPort.postMessage(simulate(w0, w1));
}
