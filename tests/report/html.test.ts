import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReportData, type ReportConfig } from "../../runtime/report/data.ts";
import { renderHtml } from "../../runtime/report/html.ts";
import { launchChromium } from "./chromium.ts";
import { baseVsTuned, sweepBranch } from "./fixtures.ts";

const hostileTitle = "Base vs tuned </script><script>window.__titleRan = 1</script>";
const injections = {
  "base/tasks.household/3": "<script>alert(1)</script>",
  "base/tasks.household/5": '<img src="x" onerror="window.__imgRan = 1">',
};

let context: BrowserContext;
const dir = mkdtempSync(join(tmpdir(), "atune-report-html-"));

function writePage(name: string, config: ReportConfig, inputs: Parameters<typeof buildReportData>[2]) {
  const file = join(dir, name);
  writeFileSync(file, renderHtml(buildReportData("report.main", config, inputs)));
  return pathToFileURL(file).href;
}

/** Opens a page, recording console errors, uncaught errors, dialogs and every request it makes. */
async function open(url: string) {
  const page = await context.newPage();
  const problems: string[] = [];
  const requests: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("dialog", (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("request", (request) => requests.push(request.url()));
  await page.goto(url);
  return { page, problems, requests };
}

const count = (page: Page, selector: string) => page.locator(selector).count();
const countText = (page: Page) => page.locator("#episode-count").textContent();

beforeAll(async () => {
  context = await launchChromium();
});
afterAll(async () => {
  await context?.close();
});

describe("HTML report in headless Chromium", () => {
  let single: string;
  beforeAll(() => {
    single = writePage(
      "single.html",
      { title: hostileTitle, evals: [{ stage: "eval.compare" }] },
      {
        "eval.compare": baseVsTuned(injections),
      },
    );
  });

  it("renders without console errors and loads nothing but itself", async () => {
    const { page, problems, requests } = await open(single);
    expect(problems).toEqual([]);
    expect(requests).toEqual([single]);
    expect(await page.title()).toBe(hostileTitle);
    expect(await page.locator("h1").textContent()).toBe(hostileTitle);
    expect(
      await page.evaluate(() => (globalThis as unknown as { __titleRan?: number }).__titleRan),
    ).toBeUndefined();
    expect(await count(page, "table.comparison tbody tr")).toBe(2);
    await page.close();
  });

  it("draws per-family bars for each model and stacked error bars, and no sweep without one", async () => {
    const { page } = await open(single);
    // 4 families × 2 models.
    expect(await count(page, "#chart-families svg rect.bar")).toBe(8);
    // base: invalid format, invalid action, short-term repetition, task limit; tuned: long-term repetition, task limit.
    expect(await count(page, "#chart-errors svg rect.segment")).toBe(6);
    expect(await count(page, "#chart-errors .legend-item")).toBe(5);
    expect(await count(page, "#chart-sweep")).toBe(0);
    await page.close();
  });

  it("filters the trajectory list by model, family and outcome", async () => {
    const { page } = await open(single);
    expect(await countText(page)).toBe("80 of 80 embedded episodes match");
    expect(await count(page, "#episode-list .episode-item")).toBe(80);
    await page.selectOption("#filter-model", "tuned");
    expect(await countText(page)).toBe("40 of 80 embedded episodes match");
    await page.selectOption("#filter-family", "household");
    expect(await countText(page)).toBe("10 of 80 embedded episodes match");
    await page.selectOption("#filter-outcome", "success");
    expect(await count(page, "#episode-list .episode-item")).toBe(8);
    await page.selectOption("#filter-outcome", "finish:repetition");
    expect(await count(page, "#episode-list .episode-item")).toBe(1);
    expect(await page.locator("#episode-list .episode-id").textContent()).toBe("household/test/9");
    await page.selectOption("#filter-family", "shop");
    await page.selectOption("#filter-outcome", "failure");
    expect(await count(page, "#episode-list .episode-item")).toBe(4);
    await page.close();
  });

  it("shows a selected episode's turns with speaker and loss marks", async () => {
    const { page } = await open(single);
    await page.selectOption("#filter-model", "tuned");
    await page.selectOption("#filter-family", "shop");
    await page.locator("#episode-list button", { hasText: "shop/test/2" }).click();
    expect(await page.locator("#episode-detail h3").textContent()).toBe("shop/test/2");
    const turns = page.locator("#episode-detail .turns .turn");
    expect(await turns.count()).toBe(4);
    expect(await turns.locator(".speaker").allTextContents()).toEqual(["human", "gpt", "human", "gpt"]);
    expect(await turns.locator(".loss-mark").allTextContents()).toEqual([
      "not trained (loss: false)",
      "trained on (loss: true)",
      "not trained (loss: false)",
      "trained on (loss: null, gpt default)",
    ]);
    expect(await count(page, "#episode-detail .turns .turn.trained")).toBe(2);
    // The shared prompt is there, folded, with its own (untrained) marks.
    expect(await count(page, "#episode-detail details.prompt .turn.not-trained")).toBe(2);
    expect(await page.locator("#episode-list button.selected .episode-id").textContent()).toBe("shop/test/2");
    await page.close();
  });

  it("shows markup in a trajectory as text, never running it", async () => {
    const { page, problems } = await open(single);
    await page.selectOption("#filter-model", "base");
    await page.selectOption("#filter-family", "household");
    for (const [id, text] of [
      ["household/test/3", "<script>alert(1)</script>"],
      ["household/test/5", '<img src="x" onerror="window.__imgRan = 1">'],
    ]) {
      await page.locator("#episode-list button", { hasText: id }).click();
      expect(
        await page.locator("#episode-detail .turns .turn.from-gpt .turn-text").first().textContent(),
      ).toBe(text);
    }
    expect(await count(page, "#episode-detail script, #episode-detail img")).toBe(0);
    expect(
      await page.evaluate(() => (globalThis as unknown as { __imgRan?: number }).__imgRan),
    ).toBeUndefined();
    expect(problems).toEqual([]);
    await page.close();
  });

  it("says how many episodes are embedded when the cap leaves some out", async () => {
    const data = buildReportData(
      "report.main",
      { title: "capped", evals: [{ stage: "eval.compare" }] },
      { "eval.compare": baseVsTuned() },
      { episodes: 4 },
    );
    const file = join(dir, "capped.html");
    writeFileSync(file, renderHtml(data));
    const { page } = await open(pathToFileURL(file).href);
    expect(await countText(page)).toBe("32 of 32 embedded episodes match");
    expect(await page.locator("#episode-cap").textContent()).toContain(
      "32 of 80 episodes are embedded: at most 4 per model × task set",
    );
    await page.close();
  });

  it("draws the sweep curve: one line per group over the swept values", async () => {
    const url = writePage(
      "sweep.html",
      {
        title: "eta sweep",
        sweep: "eta",
        evals: [
          { stage: "eval.eta_1", params: { eta: 1 } },
          { stage: "eval.eta_0.2", params: { eta: 0.2 } },
          { stage: "eval.eta_0", params: { eta: 0 } },
        ],
      },
      {
        "eval.eta_1": sweepBranch(9, 1, 2),
        "eval.eta_0.2": sweepBranch(8, 5, 6),
        "eval.eta_0": sweepBranch(2, 4, 7),
      },
    );
    const { page, problems } = await open(url);
    expect(problems).toEqual([]);
    expect(await count(page, "#chart-sweep svg polyline.line")).toBe(3);
    expect(await count(page, "#chart-sweep svg circle.point")).toBe(9);
    expect(await page.locator("#chart-sweep .legend-item").allTextContents()).toEqual([
      "held-in",
      "held-out",
      "general",
    ]);
    // Points are ordered by η: held-in rises from 0.2 (η=0) to 0.9 (η=1), so its line climbs left to right.
    const heldIn = await page.locator("#chart-sweep svg polyline.line").first().getAttribute("points");
    const ys = heldIn!.split(" ").map((point) => Number(point.split(",")[1]));
    expect(ys[0]).toBeGreaterThan(ys[1]);
    expect(ys[1]).toBeGreaterThan(ys[2]);
    expect(await count(page, "table.sweep tbody tr")).toBe(3);
    await page.close();
  });
});
