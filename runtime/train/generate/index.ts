export {
  type Generation,
  type GpuGenerateOptions,
  generate,
  generateIds,
  type StopReason,
  type TextGenerateOptions,
} from "./generate.ts";
