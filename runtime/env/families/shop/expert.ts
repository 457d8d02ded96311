/**
 * The shop expert: searches with the wanted type and attributes, opens the affordable results of the
 * right type one by one, checks each item page's features and options, and buys the first that fits.
 * It plans on a private copy of the episode and reasons only from the pages it has seen.
 */
import type { Move } from "../../types.ts";
import { formatPrice, ShopSimulation } from "./simulation.ts";
import type { ShopData } from "./task.ts";

interface Listing {
  asin: string;
  title: string;
  price: number;
}

function parseResults(page: string): { listings: Listing[]; hasNext: boolean } {
  const listings = [...page.matchAll(/^\[(B0[A-Z0-9]{8})\] (.*) \| \$([\d.]+)$/gm)].map((m) => ({
    asin: m[1],
    title: m[2],
    price: Number(m[3]),
  }));
  return { listings, hasNext: page.includes("[Next >]") };
}

function parseItem(page: string): { features: string[]; options: Record<string, string[]> } {
  const features = (page.match(/^Features: (.*)$/m)?.[1] ?? "").split(", ");
  const options: Record<string, string[]> = {};
  for (const m of page.matchAll(/^([a-z]+): ((?:\[[^\]]+\] ?)+)$/gm)) {
    options[m[1]] = [...m[2].matchAll(/\[([^\]]+)\]/g)].map((x) => x[1]);
  }
  return { features, options };
}

const MAX_MOVES = 18;

export function planShop(data: ShopData, instruction: string): Move[] {
  const { goal } = data;
  const sim = new ShopSimulation(data, instruction);
  let page = sim.reset().observation;
  const moves: Move[] = [];
  let done = false;
  const act = (thought: string, action: string) => {
    const result = sim.step(action);
    moves.push({ thought, action });
    page = result.observation;
    done = result.done;
  };

  const wantedOptions = Object.entries(goal.options);
  const optionWords = wantedOptions.map(([g, v]) => `${g} ${v}`).join(" and ");
  const query = [...goal.attributes, goal.type, ...wantedOptions.map(([, v]) => v)].join(" ");
  act(
    `The instruction asks for: ${goal.type}, ${goal.attributes.join(" and ")}, with ${optionWords}, for at most ` +
      `${formatPrice(goal.priceUpper)}. I'll search for the product type with the features and options I need.`,
    `search[${query}]`,
  );
  const rejected = new Set<string>();
  while (!done && moves.length < MAX_MOVES) {
    const { listings, hasNext } = parseResults(page);
    const candidate = listings.find(
      (l) => !rejected.has(l.asin) && l.title.endsWith(goal.type) && l.price <= goal.priceUpper,
    );
    if (!candidate) {
      if (!hasNext) break;
      act(
        "None of the remaining results on this page is an affordable match, so I'll look at the next page.",
        "click[Next >]",
      );
      continue;
    }
    act(
      `${candidate.asin} (${candidate.title}, ${formatPrice(candidate.price)}) is the right kind of product and ` +
        `within my budget of ${formatPrice(goal.priceUpper)}. I'll open it to check its features and options.`,
      `click[${candidate.asin}]`,
    );
    const item = parseItem(page);
    const missing = [
      ...goal.attributes.filter((a) => !item.features.includes(a)),
      ...wantedOptions.filter(([g, v]) => !(item.options[g] ?? []).includes(v)).map(([g, v]) => `${g} ${v}`),
    ];
    if (missing.length > 0) {
      rejected.add(candidate.asin);
      act(
        `This item does not offer ${missing.join(" or ")}. I'll go back to the results and try the next one.`,
        "click[< Prev]",
      );
      continue;
    }
    act(
      `This item has the features I need (${goal.attributes.join(", ")}) and offers ${optionWords}. ` +
        `First I'll select ${wantedOptions[0][1]}.`,
      `click[${wantedOptions[0][1]}]`,
    );
    for (const [group, value] of wantedOptions.slice(1))
      act(`Next I'll select the ${group} ${value}.`, `click[${value}]`);
    act(
      `All the options I need are selected and the price is within budget, so I'll buy it.`,
      "click[Buy Now]",
    );
  }
  return moves;
}
