import { describe, expect, it } from "vitest";
import { shopCatalogue } from "../../runtime/env/families/shop/catalogue.ts";
import { shop } from "../../runtime/env/families/shop/index.ts";
import { purchaseReward, type ShopData } from "../../runtime/env/families/shop/task.ts";
import { familySuite } from "./family-suite.ts";

familySuite(shop, {
  invalid: [
    { action: "buy the cheapest one", says: "Invalid action: 'buy the cheapest one'" },
    { action: "click[Buy Now]", says: "search first" },
    { action: "search[]", says: "the search query is empty" },
  ],
});

describe("shop specifics", () => {
  it("gives WebShop-style partial credit for a wrong purchase", async () => {
    const [task] = shop.tasks({ split: "test", count: 1, seed: 3 });
    const { goal } = task.data as ShopData;
    const target = shopCatalogue().find((p) => p.asin === goal.asin)!;
    // The target with no options selected: attributes and price match, options do not.
    const wanted = goal.attributes.length + Object.keys(goal.options).length + 1;
    expect(purchaseReward(goal, target, {}).reward).toBeCloseTo((goal.attributes.length + 1) / wanted, 5);
    expect(purchaseReward(goal, target, goal.options).reward).toBe(1);
    const otherCategory = shopCatalogue().find((p) => p.category !== goal.category)!;
    expect(purchaseReward(goal, otherCategory, {}).typeScore).toBe(0.1);

    const episode = await shop.open(task);
    await episode.reset();
    const results = await episode.step(`search[${goal.type}]`);
    expect(results.observation).toContain("Page 1 (Total results:");
    const asin = results.observation.match(/\[(B0[A-Z0-9]{8})\]/)![1];
    await episode.step(`click[${asin}]`);
    const bought = await episode.step("click[Buy Now]");
    expect(bought.done).toBe(true);
    expect(bought.reward).toBeGreaterThan(0);
    expect(bought.reward).toBeLessThan(1);
    expect(bought.info.success).toBe(false);
  });

  it("says which labels are clickable when a click misses", async () => {
    const [task] = shop.tasks({ split: "test", count: 1, seed: 3 });
    const episode = await shop.open(task);
    await episode.reset();
    await episode.step("search[hoodie]");
    const miss = await episode.step("click[Purple Unicorn]");
    expect(miss.info.valid).toBe(false);
    expect(miss.observation).toMatch(
      /'Purple Unicorn' is not clickable on this page\. Clickable here: \[Back to Search\]/,
    );
  });
});
