export {
  type AdapterEntry,
  dawnInstance,
  listAdapters,
  NoAdapterError,
  parseAdapterList,
  selectAdapter,
} from "./adapters.ts";
export { Gpu, type GpuOptions, openGpu } from "./gpu.ts";
export { PipelineCache } from "./pipelines.ts";
export { BufferPool } from "./pool.ts";
export { type DispatchTiming, f32, i32, type Param, Step, u32 } from "./step.ts";
