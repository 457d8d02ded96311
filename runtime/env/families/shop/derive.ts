/**
 * Task derivation for shop: a new goal recombined from a seed's product — another choice of its
 * attributes and option values, a new price ceiling. A candidate is kept only if the product it
 * was written from satisfies it in full (reward 1) and a second solve by the verifier succeeds.
 */
import { Rng } from "../../../util/random.ts";
import { splitOf, taskSignature } from "../../common/tasks.ts";
import type { EnvTask, TaskContent, TaskDerivation, Verdict } from "../../types.ts";
import { type Product, productByAsin } from "./catalogue.ts";
import { purchaseReward, type ShopData, type ShopGoal } from "./task.ts";

const joinAnd = (items: string[]) =>
  items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;

function instructionFor(goal: ShopGoal): string {
  const options = Object.entries(goal.options)
    .map(([group, value]) => `${group}: ${value}`)
    .join(", and ");
  return `i'm looking for ${joinAnd(goal.attributes)} ${goal.type} with ${options}, and price lower than ${goal.priceUpper.toFixed(2)} dollars`;
}

function goalFor(
  product: Product,
  attributes: string[],
  options: Record<string, string>,
  priceUpper: number,
) {
  const goal: ShopGoal = {
    asin: product.asin,
    category: product.category,
    type: product.type,
    attributes,
    options,
    priceUpper,
  };
  return { instruction: instructionFor(goal), data: { goal } satisfies ShopData };
}

const productOf = (task: EnvTask) => productByAsin((task.data as ShopData).goal.asin);

function propose(seeds: EnvTask[], seed: number): TaskContent | undefined {
  const rng = new Rng(seed);
  const product = productOf(rng.pick(seeds));
  if (!product) return undefined;
  const attributes = rng.sample(product.attributes, rng.range(1, Math.min(3, product.attributes.length)));
  const options = Object.fromEntries(
    Object.entries(product.options).map(([group, values]) => [group, rng.pick(values)]),
  );
  const priceUpper = Math.ceil((product.price + 1 + rng.int(25)) / 10) * 10;
  return goalFor(product, attributes, options, priceUpper);
}

function describe(seed: EnvTask): string {
  const product = productOf(seed);
  return [
    "A shop task asks the agent to buy a product with some attributes and options, under a price ceiling.",
    "The new task must ask for this catalogue product (it must be able to satisfy the request in full):",
    JSON.stringify(product),
    "Choose 1 to 3 of its attributes, one value of each of its option groups, and a price ceiling above its price.",
    'Reply with one JSON object: {"attributes": [...], "options": {"group": "value"}, "price_upper": <number>}',
  ].join("\n");
}

function toJson(task: EnvTask): Record<string, unknown> {
  const { goal } = task.data as ShopData;
  return { attributes: goal.attributes, options: goal.options, price_upper: goal.priceUpper };
}

function fromJson(value: unknown, seed: EnvTask): TaskContent {
  const product = productOf(seed);
  if (!product) throw new Error("the seed task names no catalogue product");
  const json = value as { attributes?: unknown; options?: unknown; price_upper?: unknown };
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new Error('expected a JSON object {"attributes", "options", "price_upper"}');
  const attributes = json.attributes;
  if (!Array.isArray(attributes) || attributes.length === 0 || attributes.some((a) => typeof a !== "string"))
    throw new Error('"attributes" must be a non-empty list of strings');
  const options = json.options as Record<string, unknown>;
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new Error('"options" must be an object of option group → value');
  if (Object.values(options).some((v) => typeof v !== "string"))
    throw new Error('"options" values must be strings');
  if (typeof json.price_upper !== "number" || !(json.price_upper > 0))
    throw new Error('"price_upper" must be a positive number');
  return goalFor(product, attributes as string[], options as Record<string, string>, json.price_upper);
}

async function verify(task: EnvTask, context: Parameters<TaskDerivation["verify"]>[1]): Promise<Verdict> {
  const { goal } = task.data as ShopData;
  const product = productByAsin(goal.asin);
  if (!product) return { ok: false, reason: "no_solution", detail: `no catalogue product ${goal.asin}` };
  const unknown = Object.entries(goal.options).find(
    ([group, value]) => !product.options[group]?.includes(value),
  );
  const reference = purchaseReward(goal, product, goal.options);
  if (unknown || reference.reward < 1)
    return {
      ok: false,
      reason: "no_solution",
      detail: `${product.asin} does not satisfy the request in full (reward ${reference.reward})`,
    };
  const second = await context.solve(task);
  return second.success
    ? { ok: true, task }
    : {
        ok: false,
        reason: "verifier_disagreed",
        detail: `the verifier's solve ended with reward ${second.reward}`,
      };
}

export const shopDerivation: TaskDerivation = {
  propose,
  writing: { describe, toJson, fromJson },
  verify,
  inTestSplit: (content) => splitOf("shop", taskSignature(content)) === "test",
};
