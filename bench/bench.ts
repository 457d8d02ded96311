/** One measured figure. Benchmarks live in bench/*.bench.ts and export `run(): Promise<BenchRow[]>`. */
export interface BenchRow {
  /** What was measured, e.g. "matmul 1024³ (atune WGSL)". */
  name: string;
  value: number;
  /** e.g. "GFLOP/s", "ms", "steps/s". */
  unit: string;
  /** The baseline run side by side in the same process, when there is one. */
  baseline?: { name: string; value: number };
  note?: string;
}

export interface BenchModule {
  run(): Promise<BenchRow[]>;
}

export async function timeIt(
  fn: () => unknown | Promise<unknown>,
  minMs = 500,
  minReps = 3,
): Promise<number> {
  // Returns milliseconds per call: repeat until both minMs and minReps are reached.
  await fn();
  let reps = 0;
  const start = performance.now();
  while (reps < minReps || performance.now() - start < minMs) {
    await fn();
    reps++;
  }
  return (performance.now() - start) / reps;
}
