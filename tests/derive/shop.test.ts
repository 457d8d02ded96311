import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { shop } from "../../runtime/env/families/shop/index.ts";
import type { ShopData } from "../../runtime/env/families/shop/task.ts";
import type { EnvTask } from "../../runtime/env/types.ts";
import { deriveConfig, derivePlan, jsonl, runPlan, seedTasks, stageDir } from "./helpers.ts";

const never = async () => {
  throw new Error("not reached");
};

describe("shop task derivation", () => {
  it("recombines seed products into new goals that the expert solves again", async () => {
    const root = mkdtempSync(join(tmpdir(), "atune-derive-shop-"));
    const manifest = await runPlan(derivePlan(seedTasks("shop", 3), deriveConfig("derive", 8)), root);
    const tasks = jsonl<EnvTask>(join(stageDir(root, manifest, "derive.new"), "tasks.jsonl"));
    const seeds = shop.tasks({ split: "train", count: 3, seed: 1 });
    const seedProducts = new Set(seeds.map((t) => (t.data as ShopData).goal.asin));
    expect(tasks).toHaveLength(8);
    for (const task of tasks) {
      expect(seedProducts.has((task.data as ShopData).goal.asin)).toBe(true);
      expect(shop.derivation!.inTestSplit!(task)).toBe(false);
    }
    expect((manifest.stages[1].summary as any).taskSets["tasks.seed"].collection).toMatchObject({
      episodes: 8,
      success: 8,
    });
  });

  it("rejects a goal the product cannot meet, and malformed model output", async () => {
    const [seed] = shop.tasks({ split: "train", count: 1, seed: 2 });
    const goal = (seed.data as ShopData).goal;
    const content = shop.derivation!.writing!.fromJson(
      { attributes: ["made of moon rock"], options: goal.options, price_upper: 999 },
      seed,
    );
    const task: EnvTask = { id: "shop/derive/x", family: "shop", split: "train", ...content };
    expect(await shop.derivation!.verify(task, { solve: never })).toMatchObject({
      ok: false,
      reason: "no_solution",
    });
    expect(() => shop.derivation!.writing!.fromJson({ attributes: [], options: {} }, seed)).toThrow(
      /attributes/,
    );
  });
});
