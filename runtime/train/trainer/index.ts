export {
  type BatchPlan,
  batchAt,
  type EncodedData,
  type EncodingOptions,
  encodeRecords,
  epochOrder,
  packExamples,
  planBatches,
  stepBatches,
  type TrainingExample,
} from "./data.ts";
export { OPTIMIZER_FILE, TRAINER_STATE_FILE, type TrainerState } from "./state.ts";
export {
  type StepInfo,
  TrainingDivergedError,
  type TrainOptions,
  type TrainSummary,
  train,
} from "./train.ts";
