// A call whose answer is not available in this run (a submitted provider batch with `--no-wait`). The dataset
// executor stops cleanly at the first row that needs one: nothing is journaled for it, and the next run picks
// the answer up. Kept apart so the executor need not know where deferral comes from.
export class DeferredCall extends Error {}
