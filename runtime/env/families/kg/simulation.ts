/** The kg episode: AgentBench's knowledge-graph tools over the built-in graph, with #n variables. */
import { invalidStep, type Simulation } from "../../common/episode.ts";
import type { ResetResult, StepResult } from "../../types.ts";
import { knowledgeGraph } from "./graph.ts";
import type { KgData } from "./task.ts";

export const KG_TOOLS_HELP =
  "get_relations(entity or #n), get_neighbors(entity or #n, relation), intersection(#a, #b), " +
  "get_attributes(#n), argmax(#n, attribute), argmin(#n, attribute), count(#n), and finally Final Answer: #n";

interface Variable {
  members: string[];
  /** An entity type, or "number" for count results. */
  type: string;
}

/** Set F1 between an answer and the gold answer, compared case-insensitively. */
export function answerF1(answer: string[], gold: string[]): number {
  const a = new Set(answer.map((x) => x.toLowerCase()));
  const g = new Set(gold.map((x) => x.toLowerCase()));
  const hits = [...a].filter((x) => g.has(x)).length;
  if (hits === 0) return 0;
  const precision = hits / a.size;
  const recall = hits / g.size;
  return (2 * precision * recall) / (precision + recall);
}

export class KgSimulation implements Simulation {
  private vars: Variable[] = [];
  private readonly graph = knowledgeGraph();

  constructor(
    private readonly data: KgData,
    private readonly instruction: string,
  ) {}

  reset(): ResetResult {
    this.vars = [];
    return {
      observation:
        `Question: ${this.instruction}\nEntities: [${this.data.entities.join(", ")}]\n` +
        `Use the tools ${KG_TOOLS_HELP}. Each tool that returns a set stores it in a new variable #0, #1, …`,
    };
  }

  private newVar(v: Variable): string {
    this.vars.push(v);
    const n = this.vars.length - 1;
    if (v.type === "number") return `Variable #${n}, which is a number`;
    return `Variable #${n}, which are instances of ${v.type}${v.members.length === 0 ? " (it is empty)" : ""}`;
  }

  /** An entity name or #n: the members, or an error message. */
  private resolve(ref: string, variablesOnly = false): Variable | string {
    const text = ref.trim();
    const m = text.match(/^#(\d+)$/);
    if (m) {
      const v = this.vars[Number(m[1])];
      if (!v) {
        return this.vars.length === 0
          ? `there is no variable ${text} yet; variables are created by get_neighbors, intersection, argmax, argmin and count.`
          : `there is no variable ${text}; the variables so far are #0 to #${this.vars.length - 1}.`;
      }
      return v;
    }
    if (variablesOnly) return `'${text}' is not a variable; this tool takes a variable such as #0.`;
    const entity = this.graph.get(text.replace(/^["']|["']$/g, ""));
    if (!entity) {
      return `there is no entity '${text}' in the knowledge graph. Use an entity from the question (${this.data.entities.join(", ")}) or a variable such as #0.`;
    }
    return { members: [entity.name], type: entity.type };
  }

  step(raw: string): StepResult {
    const action = raw.trim().replace(/^Action:\s*/i, "");
    const bad = (why: string) => invalidStep(`Error: ${why}`);
    const final = action.match(/^Final Answer:\s*(.*)$/i);
    if (final) {
      const v = this.resolve(final[1], true);
      if (typeof v === "string")
        return bad(`the final answer must be a variable, e.g. Final Answer: #2 (${v})`);
      const reward = answerF1(v.members, this.data.gold);
      return {
        observation: `Final answer recorded: ${v.members.length ? v.members.join(", ") : "(empty)"}.`,
        reward: Math.round(reward * 1e6) / 1e6,
        done: true,
        info: { valid: true, success: reward === 1 },
      };
    }
    const call = action.match(/^([a-z_]+)\s*\((.*)\)$/s);
    if (!call) return bad(`'${action}' is not a tool call. Use one of: ${KG_TOOLS_HELP}.`);
    const [, tool, argText] = call;
    const args = argText.split(",").map((a) => a.trim());
    const arity = {
      get_relations: 1,
      get_attributes: 1,
      count: 1,
      get_neighbors: 2,
      intersection: 2,
      argmax: 2,
      argmin: 2,
    }[tool];
    if (arity === undefined) return bad(`unknown tool '${tool}'. The tools are: ${KG_TOOLS_HELP}.`);
    if (args.length !== arity || args.some((a) => a === "")) {
      return bad(`${tool} takes ${arity} argument${arity === 1 ? "" : "s"} (got '${argText.trim()}').`);
    }
    const ok = (observation: string): StepResult => ({
      observation,
      reward: 0,
      done: false,
      info: { valid: true },
    });
    const subject = this.resolve(args[0], tool !== "get_relations" && tool !== "get_neighbors");
    if (typeof subject === "string") return bad(`${tool}: ${subject}`);
    if (subject.type === "number")
      return bad(`${tool}: ${args[0]} is a number; ${tool} needs a set of entities.`);

    if (tool === "get_relations") {
      const relations = new Set(subject.members.flatMap((e) => this.graph.relations(e)));
      return ok(`[${[...relations].sort().join(", ")}]`);
    }
    if (tool === "get_attributes") {
      const attributes = new Set(subject.members.flatMap((e) => this.graph.attributeNames(e)));
      return ok(`[${[...attributes].sort().join(", ")}]`);
    }
    if (tool === "count")
      return ok(this.newVar({ members: [String(subject.members.length)], type: "number" }));
    if (tool === "get_neighbors") {
      const relation = args[1];
      const out = new Set<string>();
      for (const e of subject.members) for (const n of this.graph.neighbors(e, relation)) out.add(n);
      if (out.size === 0) {
        return bad(
          `get_neighbors: no entity in ${args[0]} has the relation '${relation}'. Call get_relations(${args[0]}) to see its relations.`,
        );
      }
      const members = [...out].sort();
      return ok(this.newVar({ members, type: this.graph.get(members[0])!.type }));
    }
    if (tool === "intersection") {
      const other = this.resolve(args[1], true);
      if (typeof other === "string") return bad(`intersection: ${other}`);
      if (other.type !== subject.type) {
        return bad(
          `intersection: ${args[0]} holds ${subject.type} and ${args[1]} holds ${other.type}; intersect two variables of the same type.`,
        );
      }
      const right = new Set(other.members);
      return ok(this.newVar({ members: subject.members.filter((e) => right.has(e)), type: subject.type }));
    }
    // argmax / argmin
    const attribute = args[1];
    const valued = subject.members
      .map((e) => ({ e, v: this.graph.get(e)!.attributes[attribute] }))
      .filter((x) => x.v !== undefined);
    if (valued.length === 0) {
      return bad(
        `${tool}: no entity in ${args[0]} has the attribute '${attribute}'. Call get_attributes(${args[0]}) to see its attributes.`,
      );
    }
    const best =
      tool === "argmax" ? Math.max(...valued.map((x) => x.v)) : Math.min(...valued.map((x) => x.v));
    return ok(
      this.newVar({ members: valued.filter((x) => x.v === best).map((x) => x.e), type: subject.type }),
    );
  }

  /** Every call that would succeed now, over the question's entities and the variables so far. */
  validActions(): string[] {
    const actions: string[] = [];
    const subjects: Array<[string, string[]]> = this.data.entities.map((e) => [e, [this.graph.get(e)!.name]]);
    this.vars.forEach((v, i) => {
      if (v.type !== "number" && v.members.length > 0) subjects.push([`#${i}`, v.members]);
    });
    for (const [ref, members] of subjects) {
      const relations = new Set(members.flatMap((e) => this.graph.relations(e)));
      actions.push(`get_relations(${ref})`);
      for (const relation of [...relations].sort()) actions.push(`get_neighbors(${ref}, ${relation})`);
      if (!ref.startsWith("#")) continue;
      const attributes = new Set(members.flatMap((e) => this.graph.attributeNames(e)));
      actions.push(`get_attributes(${ref})`, `count(${ref})`);
      for (const attribute of [...attributes].sort())
        actions.push(`argmax(${ref}, ${attribute})`, `argmin(${ref}, ${attribute})`);
    }
    this.vars.forEach((a, i) => {
      this.vars.forEach((b, j) => {
        if (i < j && a.type === b.type && a.type !== "number") actions.push(`intersection(#${i}, #${j})`);
      });
    });
    for (let i = 0; i < this.vars.length; i++) actions.push(`Final Answer: #${i}`);
    return actions;
  }
}
