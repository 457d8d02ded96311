import { deriveConfig, derivePlan, seedTasks } from "./helpers.ts";

/** db derivation, one attempt at a time, so a kill lands part way through it. */
export const resumePlan = () =>
  derivePlan(seedTasks("db", 6), deriveConfig("derive", 30, undefined, { concurrency: 1 }));
