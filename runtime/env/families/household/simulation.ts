/** The household episode: a room of receptacles and objects stepped with ALFWorld-style text actions. */
import { invalidStep, type Simulation } from "../../common/episode.ts";
import type { ResetResult, StepResult } from "../../types.ts";
import { article, type HouseholdData, preposition, typeOf } from "./world.ts";

export { article };

export const HOUSEHOLD_ACTION_HELP =
  "go to countertop 1, open cabinet 2, close cabinet 2, take mug 1 from countertop 1, put mug 1 in/on coffeemachine 1, " +
  "heat mug 1 with microwave 1, cool mug 1 with fridge 1, clean mug 1 with sinkbasin 1, use desklamp 1, " +
  "examine countertop 1, inventory, look";

/** "a mug 1, an apple 2, and a knife 1", in ALFWorld's listing style. */
export function listThings(names: string[]): string {
  if (names.length === 0) return "nothing";
  const items = names.map(article);
  if (items.length === 1) return items[0];
  return `${items.slice(0, -1).join(", ")}, and ${items[items.length - 1]}`;
}

interface ObjectState {
  at: string; // a receptacle name, or "hand"
  hot: boolean;
  cool: boolean;
  clean: boolean;
}

export class HouseholdSimulation implements Simulation {
  private location: string | null = null;
  private opened = new Set<string>();
  private objects = new Map<string, ObjectState>();
  private lampOn = false;
  private readonly receptacleNames: Set<string>;

  constructor(
    private readonly data: HouseholdData,
    private readonly instruction: string,
  ) {
    this.receptacleNames = new Set(data.receptacles.map((r) => r.name));
  }

  reset(): ResetResult {
    this.location = null;
    this.opened = new Set();
    this.lampOn = false;
    this.objects = new Map(
      this.data.objects.map((o) => [o.name, { at: o.at, hot: false, cool: false, clean: false }]),
    );
    return { observation: `${this.roomView()}\n\nYour task is to: ${this.instruction}` };
  }

  private roomView(): string {
    return `You are in the middle of a room. Looking quickly around you, you see ${listThings(
      this.data.receptacles.map((r) => r.name),
    )}.`;
  }

  private held(): string | undefined {
    for (const [name, state] of this.objects) if (state.at === "hand") return name;
    return undefined;
  }

  private isOpenable(receptacle: string): boolean {
    return this.data.receptacles.some((r) => r.name === receptacle && r.openable);
  }

  private accessible(receptacle: string): boolean {
    return !this.isOpenable(receptacle) || this.opened.has(receptacle);
  }

  /** What is on or in a receptacle, the desklamp included. */
  private contents(receptacle: string): string[] {
    const names = [...this.objects].filter(([, s]) => s.at === receptacle).map(([name]) => name);
    if (this.data.desklamp === receptacle) names.push("desklamp 1");
    return names;
  }

  private describe(receptacle: string): string {
    if (this.isOpenable(receptacle)) {
      if (!this.opened.has(receptacle)) return `The ${receptacle} is closed.`;
      return `The ${receptacle} is open. In it, you see ${listThings(this.contents(receptacle))}.`;
    }
    return `On the ${receptacle}, you see ${listThings(this.contents(receptacle))}.`;
  }

  step(raw: string): StepResult {
    const action = raw.trim().toLowerCase().replace(/\s+/g, " ").replace(/[.!]$/, "");
    const outcome = this.apply(action, raw);
    if (typeof outcome !== "string") return outcome;
    if (this.goalReached())
      return { observation: outcome, reward: 1, done: true, info: { valid: true, success: true } };
    return { observation: outcome, reward: 0, done: false, info: { valid: true } };
  }

  /** Carries out an action: a string observation on success, an invalid step otherwise. */
  private apply(action: string, raw: string): string | StepResult {
    const nothing = (why: string) => invalidStep(`Nothing happens. ${why}`);
    if (action === "look") {
      if (this.location === null) return this.roomView();
      return `You are facing the ${this.location}. ${this.describe(this.location)}`;
    }
    if (action === "inventory") {
      const held = this.held();
      return held ? `You are carrying: ${article(held)}.` : "You are not carrying anything.";
    }
    const goTo = action.match(/^go to (.+)$/);
    if (goTo) {
      const target = goTo[1];
      if (!this.receptacleNames.has(target))
        return nothing(`There is no '${target}' here. ${this.placesHint()}`);
      this.location = target;
      return `You arrive at ${target}. ${this.describe(target)}`;
    }
    const openClose = action.match(/^(open|close) (.+)$/);
    if (openClose) {
      const [, verb, target] = openClose;
      if (!this.receptacleNames.has(target))
        return nothing(`There is no '${target}' here. ${this.placesHint()}`);
      if (this.location !== target) return nothing(`You are not at the ${target}; go to ${target} first.`);
      if (!this.isOpenable(target)) return nothing(`The ${target} cannot be opened or closed.`);
      if (verb === "open") {
        if (this.opened.has(target)) return nothing(`The ${target} is already open.`);
        this.opened.add(target);
        return `You open the ${target}. ${this.describe(target)}`;
      }
      if (!this.opened.has(target)) return nothing(`The ${target} is already closed.`);
      this.opened.delete(target);
      return `You close the ${target}.`;
    }
    const take = action.match(/^take ([a-z]+ \d+) from ([a-z]+ \d+)$/);
    if (take) {
      const [, object, from] = take;
      if (object === "desklamp 1" && this.data.desklamp)
        return nothing("The desklamp 1 cannot be picked up; use it.");
      const state = this.objects.get(object);
      if (this.location !== from) return nothing(`You are not at the ${from}; go to ${from} first.`);
      if (!this.accessible(from)) return nothing(`The ${from} is closed; open it first.`);
      if (!state || state.at !== from)
        return nothing(`There is no ${object} ${preposition(typeOf(from))} the ${from}.`);
      const held = this.held();
      if (held) return nothing(`You are already carrying the ${held}; put it somewhere first.`);
      state.at = "hand";
      return `You pick up the ${object} from the ${from}.`;
    }
    const put = action.match(/^put ([a-z]+ \d+) (?:in\/on|in|on) ([a-z]+ \d+)$/);
    if (put) {
      const [, object, into] = put;
      if (this.held() !== object) return nothing(`You are not carrying ${article(object)}.`);
      if (this.location !== into) return nothing(`You are not at the ${into}; go to ${into} first.`);
      if (!this.accessible(into)) return nothing(`The ${into} is closed; open it first.`);
      this.objects.get(object)!.at = into;
      return `You put the ${object} in/on the ${into}.`;
    }
    const treat = action.match(/^(heat|cool|clean) ([a-z]+ \d+) with ([a-z]+ \d+)$/);
    if (treat) {
      const [, verb, object, tool] = treat;
      const toolType = { heat: "microwave", cool: "fridge", clean: "sinkbasin" }[verb]!;
      if (typeOf(tool) !== toolType || !this.receptacleNames.has(tool)) {
        return nothing(`You can only ${verb} things with a ${toolType} that is in the room.`);
      }
      if (this.held() !== object) return nothing(`You are not carrying ${article(object)}; take it first.`);
      if (this.location !== tool) return nothing(`You are not at the ${tool}; go to ${tool} first.`);
      const state = this.objects.get(object)!;
      if (verb === "heat") Object.assign(state, { hot: true, cool: false });
      if (verb === "cool") Object.assign(state, { cool: true, hot: false });
      if (verb === "clean") state.clean = true;
      return `You ${verb} the ${object} using the ${tool}.`;
    }
    const use = action.match(/^use ([a-z]+ \d+)$/);
    if (use) {
      const [, thing] = use;
      if (thing !== "desklamp 1" || !this.data.desklamp) return nothing(`The ${thing} cannot be used.`);
      if (this.location !== this.data.desklamp) return nothing("The desklamp 1 is not here.");
      this.lampOn = true;
      return "You turn on the desklamp 1.";
    }
    const examine = action.match(/^examine (.+)$/);
    if (examine) {
      const [, thing] = examine;
      if (this.receptacleNames.has(thing)) {
        if (this.location !== thing) return nothing(`You are not at the ${thing}; go to ${thing} first.`);
        return this.describe(thing);
      }
      const here = this.location ? this.contents(this.location) : [];
      if (
        this.held() !== thing &&
        !(here.includes(thing) && this.location && this.accessible(this.location))
      ) {
        return nothing(`You do not see ${article(thing)} here.`);
      }
      if (this.lampOn && this.location === this.data.desklamp && this.held() === thing) {
        return `You look at the ${thing} under the desklamp 1.`;
      }
      return `There's nothing special about ${thing}.`;
    }
    return invalidStep(
      `Nothing happens. '${raw.trim()}' is not a valid action. Valid actions look like: ${HOUSEHOLD_ACTION_HELP}.`,
    );
  }

  private placesHint(): string {
    return `You can go to: ${this.data.receptacles.map((r) => r.name).join(", ")}.`;
  }

  private goalReached(): boolean {
    const { kind, object, target } = this.data.goal;
    const matching = [...this.objects].filter(([name]) => typeOf(name) === object).map(([, s]) => s);
    if (kind === "examine") {
      const holding = matching.some((s) => s.at === "hand");
      return holding && this.lampOn && this.location === this.data.desklamp;
    }
    const placed = matching.filter((s) => s.at !== "hand" && typeOf(s.at) === target);
    const good = placed.filter(
      (s) => (kind !== "clean" || s.clean) && (kind !== "heat" || s.hot) && (kind !== "cool" || s.cool),
    );
    return good.length >= (kind === "place_two" ? 2 : 1);
  }

  validActions(): string[] {
    const actions: string[] = [];
    for (const r of this.data.receptacles) if (r.name !== this.location) actions.push(`go to ${r.name}`);
    const held = this.held();
    const here = this.location;
    if (here) {
      if (this.isOpenable(here)) actions.push(this.opened.has(here) ? `close ${here}` : `open ${here}`);
      if (this.accessible(here)) {
        if (!held) {
          for (const name of this.contents(here))
            if (name !== "desklamp 1") actions.push(`take ${name} from ${here}`);
        } else {
          actions.push(`put ${held} in/on ${here}`);
        }
      }
      if (held) {
        const verb = { microwave: "heat", fridge: "cool", sinkbasin: "clean" }[typeOf(here)];
        if (verb) actions.push(`${verb} ${held} with ${here}`);
      }
      if (this.data.desklamp === here) actions.push("use desklamp 1");
      actions.push(`examine ${here}`);
    }
    if (held) actions.push(`examine ${held}`);
    actions.push("inventory", "look");
    return actions;
  }
}
