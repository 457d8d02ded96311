import { invalidStep, type Simulation } from "../../common/episode.ts";
import { defineFamily } from "../../common/family.ts";
import type { Move, ResetResult, StepResult } from "../../types.ts";
import {
  bestOrder,
  type CardgameData,
  type CardgameOptions,
  makeCardgameTask,
  opponentCard,
  opponentPlan,
  score,
} from "./game.ts";

const points = (n: number) => `${n} point${n === 1 ? "" : "s"}`;
const cards = (hand: number[]) => [...hand].sort((a, b) => a - b).join(", ");

class CardgameSimulation implements Simulation {
  private you: number[] = [];
  private opponent: number[] = [];
  private round = 0;
  private yourPoints = 0;
  private theirPoints = 0;

  constructor(
    private readonly data: CardgameData,
    private readonly instruction: string,
  ) {}

  reset(): ResetResult {
    this.you = [...this.data.you];
    this.opponent = [...this.data.opponent];
    this.round = 0;
    this.yourPoints = 0;
    this.theirPoints = 0;
    return {
      observation: `${this.instruction}\nPrizes, round by round: ${this.data.prizes.join(", ")}.\n${this.state()}`,
    };
  }

  private state(): string {
    return (
      `Round ${this.round + 1}: the prize is ${points(this.data.prizes[this.round])}. ` +
      `Your hand: ${cards(this.you)}. Opponent's hand: ${cards(this.opponent)}. ` +
      `Score: you ${this.yourPoints}, opponent ${this.theirPoints}. Play a card with 'play <value>'.`
    );
  }

  step(raw: string): StepResult {
    const action = raw.trim().toLowerCase();
    if (action === "look" || action === "status") {
      return { observation: this.state(), reward: 0, done: false, info: { valid: true } };
    }
    const m = action.match(/^play\s*\[?\s*(\d+)\s*\]?$/);
    if (!m)
      return invalidStep(
        `Invalid action: '${raw.trim()}'. Play a card from your hand with 'play <value>', e.g. play ${this.you[0]}; 'look' shows the state.`,
      );
    const card = Number(m[1]);
    if (!this.you.includes(card))
      return invalidStep(`Invalid action: you do not hold a ${card}. Your hand: ${cards(this.you)}.`);
    const prize = this.data.prizes[this.round];
    const theirs = opponentCard(this.data.rule, this.opponent, prize);
    this.you.splice(this.you.indexOf(card), 1);
    this.opponent.splice(this.opponent.indexOf(theirs), 1);
    let outcome: string;
    if (card > theirs) {
      this.yourPoints += prize;
      outcome = `You win ${points(prize)}.`;
    } else if (card < theirs) {
      this.theirPoints += prize;
      outcome = `The opponent wins ${points(prize)}.`;
    } else outcome = "A tie: nobody scores.";
    const played = `You played ${card}, the opponent played ${theirs}. ${outcome}`;
    this.round++;
    if (this.round < this.data.prizes.length) {
      return { observation: `${played} ${this.state()}`, reward: 0, done: false, info: { valid: true } };
    }
    // Reward 1 for a win; otherwise half your share of the points, so better losses still score more.
    const won = this.yourPoints > this.theirPoints;
    const total = this.data.prizes.reduce((a, b) => a + b, 0);
    const reward = won ? 1 : Math.round((0.5 * this.yourPoints * 1e6) / total) / 1e6;
    const verdict = won
      ? "You win the game!"
      : this.yourPoints === this.theirPoints
        ? "The game is a draw."
        : "You lose the game.";
    return {
      observation: `${played} Game over: you ${this.yourPoints}, opponent ${this.theirPoints}. ${verdict}`,
      reward,
      done: true,
      info: { valid: true, success: won, yourPoints: this.yourPoints, opponentPoints: this.theirPoints },
    };
  }

  validActions(): string[] {
    return [
      ...cards(this.you)
        .split(", ")
        .map((c) => `play ${c}`),
      "look",
    ];
  }
}

/** The expert plans every round from the open information (hands, prizes, the announced rule). */
function planCardgame(data: CardgameData): Move[] {
  const order = bestOrder(data);
  const theirs = opponentPlan(data);
  const final = score(order, data);
  return order.map((card, round) => {
    const prize = data.prizes[round];
    const lead =
      round === 0
        ? `All hands and prizes are open and the opponent follows its rule, so I can predict its cards: ${theirs.join(", ")}. ` +
          `Working through every order of my cards, the best one wins ${final.you} points to ${final.opponent}. `
        : "";
    const effect =
      card > theirs[round]
        ? `my ${card} beats it and takes ${points(prize)}`
        : card === theirs[round]
          ? `my ${card} ties it, so nobody scores`
          : `I give this round up with my ${card} to keep stronger cards for bigger prizes`;
    return {
      thought: `${lead}Round ${round + 1} is worth ${points(prize)} and the opponent will play ${theirs[round]}; ${effect}.`,
      action: `play ${card}`,
    };
  });
}

export const cardgame = defineFamily<CardgameData, CardgameOptions>({
  family: "cardgame",
  group: "held-out",
  description:
    "A numbered-card battle against a scripted opponent (in the spirit of AgentBench's card game). Both hands, " +
    "every round's prize and the opponent's rule are open; each round both play a card and the higher card takes " +
    "the prize. Reward 1 for winning the game; otherwise half the share of prize points won. Success is a win.",
  actionSpace: "play <value> to play a card from your hand (e.g. play 7); look shows the state again.",
  maxTurns: 12,
  options: {
    difficulty: {
      description: "hand size: easy 4 cards, medium 5, hard 6",
      default: "medium",
      choices: ["easy", "medium", "hard"],
    },
  },
  generate: makeCardgameTask,
  simulate: (data, task) => new CardgameSimulation(data, task.instruction),
  plan: (data) => planCardgame(data),
  afterEnd: { thought: "The game is over.", action: "look" },
});
