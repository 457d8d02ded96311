export { type LoadedModel, loadGpuModel, type SaveGpuModelOptions, saveGpuModel } from "./checkpoint.ts";
export { forwardCached, GpuKvCache } from "./decode.ts";
export {
  GpuLlama,
  type GpuStepResult,
  type GpuTensor,
  type OptimizerSettings,
  type TrainableTensor,
} from "./model.ts";
