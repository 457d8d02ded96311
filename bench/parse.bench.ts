// Parse + AST (and, separately, parse + schema checks) of a generated 10,000-line recipe.
import { checkSource } from "../compiler/index.ts";
import { parse } from "../compiler/parse.ts";
import { type BenchRow, timeIt } from "./bench.ts";

/** A recipe of `lines` lines: blocks of tasks, datasets, mixes and trainings with unique names. */
export function generateRecipe(lines: number): string {
  const out = [
    "// generated for the parse benchmark",
    "recipe big {",
    "  seed = 7",
    "  param eta: ratio = 20%",
  ];
  const families = ["household", "shop", "web", "kg", "os", "db"];
  for (let i = 0; out.length < lines - 1; i++) {
    const family = families[i % families.length];
    out.push(
      `  task t${i} = builtin "${family}" { split = train, count = ${100 + i} }`,
      `  generator g${i} = expert { noise = 5% }`,
      `  // trajectories for block ${i}`,
      `  dataset d${i} = collect [t${i}] with g${i} {`,
      "    prompt = react(shots = 1)",
      "    max_turns = 20",
      "    keep reward >= 2/3 and valid_format",
      "    dedupe",
      "  }",
      `  mix m${i} = sample { d${i}: eta, d${i}_general: 1 - eta } { total = 3000 examples }`,
      `  train r${i} = finetune base on m${i} {`,
      "    method = lora(r = 8, alpha = 16, targets = [q_proj, v_proj])",
      "    optimizer = adamw(lr = 5e-5, betas = [0.9, 0.95], weight_decay = 0.1)",
      "    schedule = cosine(warmup = 2%)",
      "    epochs = 2",
      "  }",
    );
  }
  out.push("}");
  return `${out.join("\n")}\n`;
}

export async function run(): Promise<BenchRow[]> {
  const source = generateRecipe(10_000);
  const lines = source.split("\n").length - 1;
  const parseMs = await timeIt(() => parse(source, "big.atune"), 2000, 3);
  const checkMs = await timeIt(() => checkSource(source, "big.atune"), 2000, 3);
  const note = `${lines} lines, ${source.length} bytes`;
  return [
    { name: "parse + AST, 10k-line recipe", value: parseMs, unit: "ms", note },
    { name: "parse + AST throughput", value: (lines / parseMs) * 1000, unit: "lines/s", note },
    { name: "parse + AST + schema checks, 10k-line recipe", value: checkMs, unit: "ms", note },
  ];
}
