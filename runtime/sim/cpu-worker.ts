// Worker thread of the CPU backend: simulates one block of worlds on its slices of the run's shared columns,
// and posts back the block's events (their buffers transferred, not copied) or its failure.
import { parentPort, workerData } from 'node:worker_threads';
import { SynthError } from '../../base/diagnostics.js';
import { BlockFailure, simulateBlock, type BlockViews, type SimStage, type WorkerReply } from './cpu.js';

const { stage, w0, w1, views } = workerData as { stage: SimStage; w0: number; w1: number; views: BlockViews };
try {
  const { events, stepMs } = simulateBlock(stage, w0, w1, views);
  const buffers = events.kinds.flatMap((k) => [k.world, k.agent, k.step, k.site, ...k.fields].map((a) => a.buffer as ArrayBuffer));
  parentPort!.postMessage({ ok: true, events, stepMs }, buffers);
} catch (e) {
  const error: Extract<WorkerReply, { ok: false }>['error'] =
    e instanceof BlockFailure
      ? { message: e.message, failure: e.failure, key: e.key }
      : e instanceof SynthError
        ? { code: e.code, args: { ...e.args }, message: e.message }
        : { message: (e as Error).message };
  parentPort!.postMessage({ ok: false, error } satisfies WorkerReply);
}
