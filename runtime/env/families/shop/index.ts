import { defineFamily } from "../../common/family.ts";
import { shopDerivation } from "./derive.ts";
import { planShop } from "./expert.ts";
import { ShopSimulation } from "./simulation.ts";
import { makeShopTask, type ShopData, type ShopOptions } from "./task.ts";

export const shop = defineFamily<ShopData, ShopOptions>({
  family: "shop",
  group: "held-in",
  description:
    "WebShop-like online shopping over a built-in catalogue of about 1,600 products in five categories. The " +
    "instruction asks for a product type with some attributes, options (size, colour, flavour …) and a price " +
    "ceiling; the agent searches, opens items, selects options and buys. Reward on Buy Now is WebShop's " +
    "attribute/option/price match in [0, 1]; success when it is 1.",
  actionSpace:
    "search[<query>] on the search page, e.g. search[organic gluten free snack bar]; click[<label>] for any " +
    "bracketed label on the current page: an item id (click[B0ABC12345]), an option value (click[large]), " +
    "click[Buy Now], click[Back to Search], click[Next >], click[< Prev].",
  maxTurns: 20,
  options: {
    difficulty: {
      description:
        "easy: one attribute and one option; medium: one or two attributes and every option; hard: two or three attributes",
      default: "medium",
      choices: ["easy", "medium", "hard"],
    },
  },
  generate: makeShopTask,
  simulate: (data, task) => new ShopSimulation(data, task.instruction),
  plan: (data, task) => planShop(data, task.instruction),
  afterEnd: { thought: "I have already bought the item.", action: "click[Back to Search]" },
});

// New goals recombined from a seed product's attributes and options (derive stages; docs/derive.md).
shop.derivation = shopDerivation;
