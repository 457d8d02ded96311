/** Shop tasks: a wanted product described by type, attributes, options and a price ceiling; and the reward. */
import type { Rng } from "../../../util/random.ts";
import type { TaskContent } from "../../common/tasks.ts";
import { type Product, shopCatalogue } from "./catalogue.ts";

export interface ShopGoal {
  /** The product the instruction was written from (other products may satisfy it as well). */
  asin: string;
  category: string;
  type: string;
  attributes: string[];
  options: Record<string, string>;
  priceUpper: number;
}

export interface ShopData {
  goal: ShopGoal;
}

export interface ShopOptions {
  difficulty: "easy" | "medium" | "hard";
}

const OPENERS = ["i need", "i'm looking for", "find me", "i want to buy", "i would like"];

export function makeShopTask(rng: Rng, options: ShopOptions): TaskContent<ShopData> {
  const product = rng.pick(shopCatalogue());
  const attributeCount = { easy: 1, medium: rng.range(1, 2), hard: rng.range(2, 3) }[options.difficulty];
  const attributes = rng.sample(product.attributes, attributeCount);
  const wanted: Record<string, string> = {};
  const groups = Object.keys(product.options);
  const optionGroups = options.difficulty === "easy" ? rng.sample(groups, 1) : groups;
  for (const group of optionGroups) wanted[group] = rng.pick(product.options[group]);
  const priceUpper = Math.ceil((product.price + 1 + rng.int(25)) / 10) * 10;
  const goal: ShopGoal = {
    asin: product.asin,
    category: product.category,
    type: product.type,
    attributes,
    options: wanted,
    priceUpper,
  };
  const optionText = Object.entries(wanted)
    .map(([group, value]) => `${group}: ${value}`)
    .join(", and ");
  const instruction =
    `${rng.pick(OPENERS)} ${joinAnd(attributes)} ${product.type} with ${optionText}, ` +
    `and price lower than ${priceUpper.toFixed(2)} dollars`;
  return { instruction, data: { goal } };
}

const joinAnd = (items: string[]) =>
  items.length <= 1 ? items.join("") : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;

export interface Purchase {
  reward: number;
  typeScore: number;
  attributesMatched: number;
  optionsMatched: number;
  priceOk: boolean;
}

/**
 * WebShop's reward: r_type × (matched attributes + matched options + [price ≤ ceiling]) / (wanted
 * attributes + wanted options + 1). r_type is 1 for the same product type, 0.5 for another type of the
 * same category, 0.1 otherwise.
 */
export function purchaseReward(goal: ShopGoal, product: Product, selected: Record<string, string>): Purchase {
  const typeScore = product.type === goal.type ? 1 : product.category === goal.category ? 0.5 : 0.1;
  const attributesMatched = goal.attributes.filter((a) => product.attributes.includes(a)).length;
  const optionsMatched = Object.entries(goal.options).filter(
    ([group, value]) => selected[group] === value,
  ).length;
  const priceOk = product.price <= goal.priceUpper;
  const total = goal.attributes.length + Object.keys(goal.options).length + 1;
  const reward = (typeScore * (attributesMatched + optionsMatched + (priceOk ? 1 : 0))) / total;
  return { reward: Math.round(reward * 1e6) / 1e6, typeScore, attributesMatched, optionsMatched, priceOk };
}
