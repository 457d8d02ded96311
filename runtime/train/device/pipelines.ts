/**
 * Pipeline cache: one compiled compute pipeline per key. A key is the kernel's name plus everything
 * its WGSL was specialised on (variant, tile sizes, dtype, sometimes shapes), so the same key always
 * means the same source. Compilation on lavapipe costs milliseconds to tens of milliseconds; the cache
 * makes it a one-time cost per shape class.
 */
export class PipelineCache {
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  compiled = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly checkCompilation: boolean,
  ) {}

  get(key: string, source: () => string, entryPoint = "main"): GPUComputePipeline {
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const code = source();
    const module = this.device.createShaderModule({ code, label: key });
    if (this.checkCompilation) void reportCompilation(module, key, code);
    const pipeline = this.device.createComputePipeline({
      label: key,
      layout: "auto",
      compute: { module, entryPoint },
    });
    this.pipelines.set(key, pipeline);
    this.compiled++;
    return pipeline;
  }

  get size(): number {
    return this.pipelines.size;
  }
}

/** Prints WGSL compile errors with the offending source line, so a kernel bug reads as WGSL, not Dawn. */
async function reportCompilation(module: GPUShaderModule, key: string, code: string): Promise<void> {
  const info = await module.getCompilationInfo();
  const lines = code.split("\n");
  for (const message of info.messages) {
    if (message.type !== "error") continue;
    const line = lines[message.lineNum - 1] ?? "";
    console.error(
      `WGSL error in kernel '${key}' at line ${message.lineNum}:${message.linePos}: ${message.message}\n  ${line}`,
    );
  }
}
