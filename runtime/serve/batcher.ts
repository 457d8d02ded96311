/**
 * The server's generation queue: requests that arrive while the GPU is busy wait here and are
 * generated together as one batch (`generateIds` runs the rows in lockstep with a KV cache).
 *
 * A batch shares one set of sampling settings, so only compatible requests join one: the same
 * token limit and stop strings and, when sampling, the same temperature and top_p. Row r of a
 * batch samples with seed `base + r`; a request with a seed joins only at the row whose seed is
 * its own, so a seeded request gets the same reply whether it is batched or not.
 */
import { type Generation, generateIds } from "../train/generate/generate.ts";
import type { GpuLlama } from "../train/gpu/model.ts";
import type { FinishReason } from "./protocol.ts";

export interface GenerationJob {
  promptIds: number[];
  maxNewTokens: number;
  /** 0 is greedy decoding. */
  temperature: number;
  topP: number;
  stop: string[];
  seed: number | undefined;
}

export interface JobResult {
  text: string;
  finishReason: FinishReason;
  completionTokens: number;
}

export interface BatcherStats {
  requests: number;
  /** Requests whose client went away while they waited. */
  cancelled: number;
  batches: number;
  largestBatch: number;
  /** How many batches had each size, e.g. {"1": 2, "3": 1}. */
  batchSizes: Record<string, number>;
}

interface Queued {
  job: GenerationJob;
  resolve: (result: JobResult) => void;
  reject: (error: Error) => void;
}

export interface BatcherOptions {
  model: GpuLlama;
  decode: (ids: readonly number[]) => string;
  stopTokenIds: number[];
  maxBatch: number;
  /** Called with each batch's size as it starts (tests and logs watch batching through it). */
  onBatch?: (size: number) => void;
}

/** A queued job dropped because its client went away before its batch started. */
export class JobCancelled extends Error {
  constructor() {
    super("the client went away before generation started");
    this.name = "JobCancelled";
  }
}

export class Batcher {
  private readonly queue: Queued[] = [];
  private running: Promise<void> | undefined;
  private readonly counters: BatcherStats = {
    requests: 0,
    cancelled: 0,
    batches: 0,
    largestBatch: 0,
    batchSizes: {},
  };

  constructor(private readonly options: BatcherOptions) {}

  /**
   * Queues `job`. When `signal` aborts (the client went away) before its batch starts, the job
   * leaves the queue and the promise rejects with a JobCancelled; a started batch runs to its end.
   */
  submit(job: GenerationJob, signal?: AbortSignal): Promise<JobResult> {
    return new Promise<JobResult>((resolve, reject) => {
      const entry: Queued = { job, resolve, reject };
      this.queue.push(entry);
      this.counters.requests++;
      signal?.addEventListener(
        "abort",
        () => {
          const index = this.queue.indexOf(entry);
          if (index < 0) return;
          this.queue.splice(index, 1);
          this.counters.cancelled++;
          reject(new JobCancelled());
        },
        { once: true },
      );
      // Let the requests that arrive in this tick join the batch before it starts.
      setImmediate(() => this.drain());
    });
  }

  stats(): BatcherStats {
    return { ...this.counters, batchSizes: { ...this.counters.batchSizes } };
  }

  /** Resolves once the queue is empty and no batch is running. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private drain(): void {
    if (this.running || this.queue.length === 0) return;
    this.running = this.runBatches().finally(() => {
      this.running = undefined;
    });
  }

  private async runBatches(): Promise<void> {
    while (this.queue.length > 0) {
      const { batch, seed } = this.takeBatch();
      this.counters.batches++;
      this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.length);
      this.counters.batchSizes[batch.length] = (this.counters.batchSizes[batch.length] ?? 0) + 1;
      this.options.onBatch?.(batch.length);
      const settings = batch[0].job;
      try {
        const generations = await generateIds(
          this.options.model,
          batch.map((entry) => entry.job.promptIds),
          {
            maxNewTokens: settings.maxNewTokens,
            temperature: settings.temperature,
            topP: settings.topP,
            seed,
            stopTokenIds: this.options.stopTokenIds,
            stopStrings: settings.stop,
            decode: this.options.decode,
          },
        );
        for (const [row, entry] of batch.entries())
          entry.resolve(resultOf(generations[row], this.options.decode));
      } catch (error) {
        for (const entry of batch) entry.reject(error as Error);
      }
    }
  }

  /** The oldest request and the compatible ones behind it, up to maxBatch; removed from the queue. */
  private takeBatch(): { batch: Queued[]; seed: number } {
    const first = this.queue[0].job;
    const key = batchKey(first);
    const sampled = first.temperature > 0;
    const seed = first.seed ?? (sampled ? Math.floor(Math.random() * 2 ** 32) : 0);
    const batch: Queued[] = [];
    for (const entry of this.queue) {
      if (batch.length >= this.options.maxBatch) break;
      if (batch.length > 0 && batchKey(entry.job) !== key) continue;
      if (
        batch.length > 0 &&
        sampled &&
        entry.job.seed !== undefined &&
        entry.job.seed !== seed + batch.length
      ) {
        continue;
      }
      batch.push(entry);
    }
    for (const entry of batch) this.queue.splice(this.queue.indexOf(entry), 1);
    return { batch, seed };
  }
}

function batchKey(job: GenerationJob): string {
  // Greedy decoding ignores top_p (and the seed), so every greedy request with the same limits fits.
  const sampling = job.temperature > 0 ? [job.temperature, job.topP] : [0];
  return JSON.stringify([...sampling, job.maxNewTokens, job.stop]);
}

function resultOf(generation: Generation, decode: (ids: readonly number[]) => string): JobResult {
  const stopped = generation.stopReason === "stop_token" || generation.stopReason === "stop_string";
  return {
    text: generation.text ?? decode(generation.ids),
    finishReason: stopped ? "stop" : "length",
    completionTokens: generation.ids.length,
  };
}
