/** The shop episode: search page → result pages → item pages with options → Buy Now. */
import { invalidStep, type Simulation } from "../../common/episode.ts";
import type { ResetResult, StepResult } from "../../types.ts";
import { type Product, productByAsin, searchCatalogue } from "./catalogue.ts";
import { purchaseReward, type ShopData } from "./task.ts";

const PAGE_SIZE = 10;

type Page =
  | { kind: "search" }
  | { kind: "results"; query: string; results: Product[]; page: number }
  | { kind: "item"; product: Product; back: { query: string; results: Product[]; page: number } };

export const formatPrice = (price: number) => `$${price.toFixed(2)}`;

export class ShopSimulation implements Simulation {
  private page: Page = { kind: "search" };
  private selected: Record<string, string> = {};

  constructor(
    private readonly data: ShopData,
    private readonly instruction: string,
  ) {}

  reset(): ResetResult {
    this.page = { kind: "search" };
    this.selected = {};
    return { observation: this.render() };
  }

  private render(): string {
    const page = this.page;
    if (page.kind === "search") return `WebShop\nInstruction: ${this.instruction}\n[Search]`;
    if (page.kind === "results") {
      const first = (page.page - 1) * PAGE_SIZE;
      const shown = page.results.slice(first, first + PAGE_SIZE);
      const lines = [
        "[Back to Search]",
        `Page ${page.page} (Total results: ${page.results.length})`,
        ...(page.page > 1 ? ["[< Prev]"] : []),
        ...(first + PAGE_SIZE < page.results.length ? ["[Next >]"] : []),
        ...shown.map((p) => `[${p.asin}] ${p.title} | ${formatPrice(p.price)}`),
      ];
      if (shown.length === 0)
        lines.push("No products match your search. Go back to search and try other words.");
      return lines.join("\n");
    }
    const p = page.product;
    const lines = ["[Back to Search]", "[< Prev]", p.title, `Price: ${formatPrice(p.price)}`];
    lines.push(`Features: ${p.attributes.join(", ")}`);
    for (const [group, values] of Object.entries(p.options)) {
      lines.push(`${group}: ${values.map((v) => `[${v}]`).join(" ")}`);
    }
    const chosen = Object.entries(this.selected).map(([g, v]) => `${g} ${v}`);
    lines.push(`Selected: ${chosen.length ? chosen.join(", ") : "none"}`);
    lines.push("[Buy Now]");
    return lines.join("\n");
  }

  /** The bracketed labels the current page offers. */
  private clickables(): string[] {
    const page = this.page;
    if (page.kind === "search") return [];
    if (page.kind === "results") {
      const first = (page.page - 1) * PAGE_SIZE;
      return [
        "Back to Search",
        ...(page.page > 1 ? ["< Prev"] : []),
        ...(first + PAGE_SIZE < page.results.length ? ["Next >"] : []),
        ...page.results.slice(first, first + PAGE_SIZE).map((p) => p.asin),
      ];
    }
    return ["Back to Search", "< Prev", ...Object.values(page.product.options).flat(), "Buy Now"];
  }

  step(raw: string): StepResult {
    const action = raw.trim();
    const ok = (): StepResult => ({
      observation: this.render(),
      reward: 0,
      done: false,
      info: { valid: true },
    });
    const search = action.match(/^search\s*\[(.*)\]$/is);
    if (search) {
      if (this.page.kind !== "search") {
        return invalidStep(
          `Invalid action: you can only search on the search page; click [Back to Search] first.`,
        );
      }
      const query = search[1].trim();
      if (!query)
        return invalidStep(
          "Invalid action: the search query is empty. Write it inside the brackets, e.g. search[blue hoodie].",
        );
      this.page = { kind: "results", query, results: searchCatalogue(query), page: 1 };
      return ok();
    }
    const click = action.match(/^click\s*\[(.*)\]$/is);
    if (!click) {
      return invalidStep(
        `Invalid action: '${action}'. Actions look like search[red cotton t-shirt] (on the search page) or ` +
          `click[<a bracketed label on the page>], e.g. click[B0ABC12345], click[large], click[Buy Now], click[Back to Search], click[Next >].`,
      );
    }
    const label = click[1].trim().toLowerCase();
    const offered = this.clickables();
    const target = offered.find((c) => c.toLowerCase() === label);
    if (!target) {
      return invalidStep(
        offered.length === 0
          ? `Invalid action: there is nothing to click on the search page; search first, e.g. search[blue hoodie].`
          : `Invalid action: '${click[1].trim()}' is not clickable on this page. Clickable here: ${offered.map((c) => `[${c}]`).join(", ")}.`,
      );
    }
    const page = this.page;
    if (target === "Back to Search") {
      this.page = { kind: "search" };
      this.selected = {};
      return ok();
    }
    if (page.kind === "results") {
      if (target === "Next >") this.page = { ...page, page: page.page + 1 };
      else if (target === "< Prev") this.page = { ...page, page: page.page - 1 };
      else {
        this.page = { kind: "item", product: productByAsin(target)!, back: page };
        this.selected = {};
      }
      return ok();
    }
    if (page.kind === "item") {
      if (target === "< Prev") {
        this.page = { kind: "results", ...page.back };
        return ok();
      }
      if (target === "Buy Now") {
        const result = purchaseReward(this.data.goal, page.product, this.selected);
        return {
          observation: `Thank you for shopping with us! You bought ${page.product.asin} (${page.product.title}).`,
          reward: result.reward,
          done: true,
          info: { valid: true, success: result.reward === 1, ...result, asin: page.product.asin },
        };
      }
      for (const [group, values] of Object.entries(page.product.options)) {
        if (values.includes(target)) this.selected[group] = target;
      }
      return ok();
    }
    return ok();
  }

  validActions(): string[] {
    if (this.page.kind === "search") return [`search[${this.instruction}]`];
    return this.clickables().map((c) => `click[${c}]`);
  }
}
