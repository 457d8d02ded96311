import { stageKey } from "./key.ts";
import { type FileInput, PLAN_VERSION, type Plan, type PlanStage, type StageKind } from "./types.ts";

/** Builds a plan stage by stage, computing each content key from the keys of its inputs. */
export class PlanBuilder {
  private readonly stages: PlanStage[] = [];

  constructor(private readonly atuneVersion: string) {}

  add(
    id: string,
    kind: StageKind,
    config: Record<string, unknown>,
    inputs: string[] = [],
    files: FileInput[] = [],
  ): PlanStage {
    if (this.stages.some((s) => s.id === id)) throw new Error(`plan stage ${id} is defined twice`);
    const inputKeys = inputs.map((input) => {
      const found = this.stages.find((s) => s.id === input);
      if (!found) throw new Error(`plan stage ${id} reads ${input}, which has not been added`);
      return found.key;
    });
    const stage: PlanStage = {
      id,
      kind,
      inputs,
      config,
      files,
      key: stageKey({ kind, config, inputs, inputKeys, files, atuneVersion: this.atuneVersion }),
    };
    this.stages.push(stage);
    return stage;
  }

  has(id: string): boolean {
    return this.stages.some((s) => s.id === id);
  }

  build(recipe: Plan["recipe"], params: Plan["params"]): Plan {
    return { version: PLAN_VERSION, atune: this.atuneVersion, recipe, params, stages: [...this.stages] };
  }
}
