// Expert-policy throughput of the built-in text environments: steps/s and episodes/s per family (expert
// planning included), plus task generation in tasks/s.
import { cardgame } from "../runtime/env/families/cardgame/index.ts";
import { formFill } from "../runtime/env/families/form_fill/index.ts";
import { functionCall } from "../runtime/env/families/function_call/index.ts";
import { household } from "../runtime/env/families/household/index.ts";
import { kg } from "../runtime/env/families/kg/index.ts";
import { multihopQa } from "../runtime/env/families/multihop_qa/index.ts";
import { sciworld } from "../runtime/env/families/sciworld/index.ts";
import { shop } from "../runtime/env/families/shop/index.ts";
import { web } from "../runtime/env/families/web/index.ts";
import type { Environment, EnvTask } from "../runtime/env/types.ts";
import type { BenchRow } from "./bench.ts";

const FAMILIES: Environment[] = [
  household,
  shop,
  web,
  kg,
  sciworld,
  functionCall,
  formFill,
  cardgame,
  multihopQa,
];
const TASKS = 100;
const MIN_MS = 700;

async function playAll(env: Environment, tasks: EnvTask[]): Promise<number> {
  let steps = 0;
  for (const task of tasks) {
    const episode = await env.open(task);
    let observation = (await episode.reset()).observation;
    const policy = env.expert!(task);
    for (let turn = 0; turn < env.maxTurns; turn++) {
      const result = await episode.step(policy.next(observation).action);
      steps++;
      observation = result.observation;
      if (result.done) break;
    }
    await episode.close();
  }
  return steps;
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const env of FAMILIES) {
    // Warm-up builds the family's lazy data (catalogue, graph, corpus) outside the timing.
    const warm = env.tasks({ split: "test", count: 5, seed: 1 });
    await playAll(env, warm);

    const genStart = performance.now();
    let generated = 0;
    for (let seed = 0; generated < 500 || performance.now() - genStart < MIN_MS; seed++) {
      generated += env.tasks({ split: "train", count: 250, seed: 1000 + seed }).length;
    }
    const genSeconds = (performance.now() - genStart) / 1000;

    const tasks = env.tasks({ split: "test", count: TASKS, seed: 2 });
    let steps = 0;
    let episodes = 0;
    const start = performance.now();
    while (episodes < TASKS || performance.now() - start < MIN_MS) {
      steps += await playAll(env, tasks);
      episodes += tasks.length;
    }
    const seconds = (performance.now() - start) / 1000;
    rows.push({
      name: `${env.family}: expert steps`,
      value: steps / seconds,
      unit: "steps/s",
      note: `${(steps / episodes).toFixed(1)} steps per episode`,
    });
    rows.push({ name: `${env.family}: expert episodes`, value: episodes / seconds, unit: "episodes/s" });
    rows.push({ name: `${env.family}: task generation`, value: generated / genSeconds, unit: "tasks/s" });
  }
  return rows;
}
