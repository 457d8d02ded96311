/** A numbered-card battle with open hands: rules, the scripted opponent, and the best reply. */
import type { Rng } from "../../../util/random.ts";
import type { TaskContent } from "../../common/tasks.ts";

export type OpponentRule =
  | { kind: "threshold"; threshold: number }
  | { kind: "ascending" }
  | { kind: "descending" }
  | { kind: "double" };

export interface CardgameData {
  you: number[];
  opponent: number[];
  /** Points at stake in each round, in order (all shown from the start). */
  prizes: number[];
  rule: OpponentRule;
}

export interface CardgameOptions {
  difficulty: "easy" | "medium" | "hard";
}

export function describeRule(rule: OpponentRule): string {
  switch (rule.kind) {
    case "threshold":
      return `the opponent plays its highest card when the prize is at least ${rule.threshold} points, otherwise its lowest card`;
    case "ascending":
      return "the opponent plays its cards from lowest to highest";
    case "descending":
      return "the opponent plays its cards from highest to lowest";
    case "double":
      return "the opponent plays the card closest to twice the prize (the lower one on a tie)";
  }
}

/** The card the scripted opponent plays this round. */
export function opponentCard(rule: OpponentRule, hand: number[], prize: number): number {
  const sorted = [...hand].sort((a, b) => a - b);
  switch (rule.kind) {
    case "threshold":
      return prize >= rule.threshold ? sorted[sorted.length - 1] : sorted[0];
    case "ascending":
      return sorted[0];
    case "descending":
      return sorted[sorted.length - 1];
    case "double":
      return sorted.reduce((best, c) => (Math.abs(c - 2 * prize) < Math.abs(best - 2 * prize) ? c : best));
  }
}

/** The opponent's cards round by round (its rule does not depend on what you play). */
export function opponentPlan(data: CardgameData): number[] {
  const hand = [...data.opponent];
  return data.prizes.map((prize) => {
    const card = opponentCard(data.rule, hand, prize);
    hand.splice(hand.indexOf(card), 1);
    return card;
  });
}

/** Points each side wins when you play `order` against the opponent's plan. */
export function score(
  order: number[],
  data: CardgameData,
  theirs = opponentPlan(data),
): { you: number; opponent: number } {
  let you = 0;
  let opponent = 0;
  order.forEach((card, round) => {
    if (card > theirs[round]) you += data.prizes[round];
    else if (card < theirs[round]) opponent += data.prizes[round];
  });
  return { you, opponent };
}

/**
 * The order of your cards with the widest winning margin. Dynamic programming over (round, cards used);
 * on equal margins the lower card is tried first, so the result is deterministic.
 */
export function bestOrder(data: CardgameData): number[] {
  const hand = [...data.you].sort((a, b) => a - b);
  const theirs = opponentPlan(data);
  const memo = new Map<number, { margin: number; order: number[] }>();
  const solve = (used: number, round: number): { margin: number; order: number[] } => {
    if (round === hand.length) return { margin: 0, order: [] };
    const cached = memo.get(used);
    if (cached) return cached;
    let best = { margin: Number.NEGATIVE_INFINITY, order: [] as number[] };
    hand.forEach((card, i) => {
      if (used & (1 << i)) return;
      const gain = card > theirs[round] ? data.prizes[round] : card < theirs[round] ? -data.prizes[round] : 0;
      const rest = solve(used | (1 << i), round + 1);
      if (gain + rest.margin > best.margin)
        best = { margin: gain + rest.margin, order: [card, ...rest.order] };
    });
    memo.set(used, best);
    return best;
  };
  return solve(0, 0).order;
}

const HAND_SIZE = { easy: 4, medium: 5, hard: 6 } as const;

export function makeCardgameTask(rng: Rng, options: CardgameOptions): TaskContent<CardgameData> {
  const size = HAND_SIZE[options.difficulty];
  for (;;) {
    const deck = rng.shuffle(Array.from({ length: 13 }, (_, i) => i + 1));
    const you = deck.slice(0, size).sort((a, b) => a - b);
    const opponent = deck.slice(size, 2 * size).sort((a, b) => a - b);
    const prizes = rng.shuffle(Array.from({ length: size }, (_, i) => i + 1));
    const kind = rng.pick(["threshold", "ascending", "descending", "double"] as const);
    const rule: OpponentRule = kind === "threshold" ? { kind, threshold: rng.range(2, size) } : { kind };
    const data: CardgameData = { you, opponent, prizes, rule };
    const best = score(bestOrder(data), data);
    // Only deals you can win are kept (an unwinnable game teaches nothing), and only deals where simply
    // playing your cards from lowest to highest does not already win (those need no thought).
    if (best.you <= best.opponent) continue;
    const naive = score(you, data);
    if (naive.you > naive.opponent) continue;
    const instruction =
      `Win a ${size}-round card battle against a scripted opponent. Each round both players play one card; ` +
      `the higher card wins that round's prize points, a tie gives nobody points. Rule: ${describeRule(rule)}. ` +
      "Score more points than the opponent.";
    return { instruction, data };
  }
}
