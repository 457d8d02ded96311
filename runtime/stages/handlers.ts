import type { StageHandlers } from "../executor/executor.ts";
import { builtinDataStage } from "./builtin-data-stage.ts";
import { collectStage } from "./collect-stage.ts";
import { deriveStage } from "./derive-stage.ts";
import { evalStage } from "./eval-stage.ts";
import { filterStage } from "./filter-stage.ts";
import { loadStage } from "./load-stage.ts";
import { mixStage } from "./mix-stage.ts";
import { modelStage } from "./model-stage.ts";
import { reportStage } from "./report-stage.ts";
import { tasksStage } from "./tasks-stage.ts";
import { trainStage } from "./train-stage.ts";

/** The stage kinds this build of atune can run, and the handler for each. */
export const stageHandlers: StageHandlers = {
  tasks: tasksStage,
  collect: collectStage,
  derive: deriveStage,
  filter: filterStage,
  mix: mixStage,
  load: loadStage,
  builtin_data: builtinDataStage,
  model: modelStage,
  train: trainStage,
  report: reportStage,
  eval: evalStage,
};
