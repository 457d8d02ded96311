import { describe, expect, it } from "vitest";
import {
  bestOrder,
  type CardgameData,
  opponentCard,
  score,
} from "../../runtime/env/families/cardgame/game.ts";
import { cardgame } from "../../runtime/env/families/cardgame/index.ts";
import { familySuite } from "./family-suite.ts";

familySuite(cardgame, {
  invalid: [
    { action: "play the best card", says: "Play a card from your hand with 'play <value>'" },
    { action: "play 99", says: "you do not hold a 99" },
  ],
});

describe("cardgame specifics", () => {
  it("follows the announced opponent rules", () => {
    expect(opponentCard({ kind: "threshold", threshold: 3 }, [2, 9, 5], 3)).toBe(9);
    expect(opponentCard({ kind: "threshold", threshold: 3 }, [2, 9, 5], 2)).toBe(2);
    expect(opponentCard({ kind: "ascending" }, [7, 4, 11], 5)).toBe(4);
    expect(opponentCard({ kind: "descending" }, [7, 4, 11], 5)).toBe(11);
    expect(opponentCard({ kind: "double" }, [3, 5, 9], 2)).toBe(3);
  });

  it("finds the best order by exhaustive search on a small deal", () => {
    const data: CardgameData = {
      you: [1, 6, 8],
      opponent: [5, 7, 9],
      prizes: [1, 2, 3],
      rule: { kind: "descending" },
    };
    // The opponent plays 9, 7, 5: sacrificing 1 to its 9 lets 8 and 6 win 2 + 3 = 5 points against 1.
    expect(bestOrder(data)).toEqual([1, 8, 6]);
    expect(score([1, 8, 6], data)).toEqual({ you: 5, opponent: 1 });
  });

  it("rewards a loss with half the share of points", async () => {
    const [task] = cardgame.tasks({ split: "test", count: 1, seed: 8, options: { difficulty: "easy" } });
    const data = task.data as CardgameData;
    const episode = await cardgame.open(task);
    await episode.reset();
    let last = await episode.step(`play ${data.you[0]}`);
    for (const card of data.you.slice(1)) last = await episode.step(`play ${card}`);
    expect(last.done).toBe(true);
    const total = data.prizes.reduce((a, b) => a + b, 0);
    const mine = last.info.yourPoints as number;
    expect(last.reward).toBeCloseTo(last.info.success ? 1 : (0.5 * mine) / total, 5);
  });
});
