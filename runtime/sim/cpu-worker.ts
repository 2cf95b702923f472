// Worker thread of the CPU backend: simulates one block of worlds and posts the block's data back.
import { parentPort, workerData } from 'node:worker_threads';
import { SynthError } from '../../base/diagnostics.js';
import { simulateBlock, type SimStage } from './cpu.js';

const { stage, w0, w1 } = workerData as { stage: SimStage; w0: number; w1: number };
try {
  const { emit: _e, observe: _o, overflowed: _v, ...data } = simulateBlock(stage, w0, w1);
  parentPort!.postMessage({ ok: true, block: data });
} catch (e) {
  parentPort!.postMessage({ ok: false, error: { code: e instanceof SynthError ? e.code : undefined, message: (e as Error).message } });
}
