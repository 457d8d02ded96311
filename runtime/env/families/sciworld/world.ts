/** sciworld tasks: science-lab procedures (change of state, thermometry, conductivity, paint mixing). */
import type { Rng } from "../../../util/random.ts";
import type { TaskContent } from "../../common/tasks.ts";

export const ROOMS = ["hallway", "kitchen", "workshop", "greenhouse"] as const;
export type Room = (typeof ROOMS)[number];

export interface Substance {
  name: string;
  temperature: number;
  /** °C at which it melts and boils (boiling only matters for water). */
  melts: number;
  boils: number;
}

export type SciTask =
  | {
      kind: "change_state";
      substance: Substance;
      goal: "melt" | "boil";
      container: string;
      containerRoom: Room;
    }
  | {
      kind: "thermometer";
      substance: Substance;
      container: string;
      containerRoom: Room;
      thermometerRoom: Room;
      threshold: number;
      boxRoom: Room;
      above: string;
      below: string;
    }
  | { kind: "conductivity"; object: string; conductive: boolean; objectRoom: Room; yes: string; no: string }
  | { kind: "paint"; target: string; primaries: [string, string] };

export interface SciData {
  task: SciTask;
  /** Distractor objects per room (they can be examined and picked up, and do nothing else). */
  clutter: Record<Room, string[]>;
}

export interface SciOptions {
  task: "any" | SciTask["kind"];
}

const SUBSTANCES_TO_MELT: Substance[] = [
  { name: "ice", temperature: -5, melts: 0, boils: 100 },
  { name: "chocolate", temperature: 20, melts: 45, boils: 1000 },
  { name: "butter", temperature: 12, melts: 35, boils: 1000 },
  { name: "snow", temperature: -8, melts: 0, boils: 100 },
  { name: "wax", temperature: 21, melts: 60, boils: 1000 },
];
const LIQUIDS = ["water", "olive oil", "orange juice", "milk", "vinegar", "salt water"];
const CONTAINERS = ["metal pot", "steel bowl", "tin cup"];
const CONDUCTORS = ["iron nail", "copper wire", "steel key", "aluminum foil", "brass button", "metal fork"];
const INSULATORS = [
  "plastic spoon",
  "rubber band",
  "wooden block",
  "glass marble",
  "cotton ball",
  "paper cup",
];
const PAINTS: Record<string, [string, string]> = {
  green: ["blue paint", "yellow paint"],
  orange: ["red paint", "yellow paint"],
  purple: ["red paint", "blue paint"],
};
const BOX_COLOURS = ["red", "blue", "yellow", "purple", "green", "orange"];
const CLUTTER = [
  "chair",
  "bookshelf",
  "flower pot",
  "lamp",
  "notebook",
  "shoe",
  "picture frame",
  "umbrella",
  "radio",
  "basket",
  "bench",
  "clock",
];

const movable = (rng: Rng) => rng.pick(ROOMS);

export function makeSciTask(rng: Rng, options: SciOptions): TaskContent<SciData> {
  const kind =
    options.task === "any"
      ? rng.pick(["change_state", "thermometer", "conductivity", "paint"] as const)
      : options.task;
  let task: SciTask;
  let instruction: string;
  if (kind === "change_state") {
    const boil = rng.chance(0.35);
    const substance = boil
      ? { name: "water", temperature: rng.range(5, 30), melts: 0, boils: 100 }
      : { ...rng.pick(SUBSTANCES_TO_MELT) };
    task = {
      kind,
      substance,
      goal: boil ? "boil" : "melt",
      container: rng.pick(CONTAINERS),
      containerRoom: movable(rng),
    };
    instruction = boil
      ? "Your task is to boil water. For compounds without a boiling point, combusting the substance is also acceptable. First, focus on the substance. Then, take actions that will cause it to change its state of matter."
      : `Your task is to melt ${substance.name}. First, focus on the substance. Then, take actions that will cause it to change its state of matter.`;
  } else if (kind === "thermometer") {
    const [above, below] = rng.sample(BOX_COLOURS, 2);
    const temperature = rng.range(-10, 90);
    let threshold = rng.range(0, 80);
    if (threshold === temperature) threshold++;
    task = {
      kind,
      substance: { name: rng.pick(LIQUIDS), temperature, melts: -100, boils: 1000 },
      container: rng.pick(CONTAINERS),
      containerRoom: movable(rng),
      thermometerRoom: movable(rng),
      threshold,
      boxRoom: movable(rng),
      above: `${above} box`,
      below: `${below} box`,
    };
    instruction =
      `Your task is to measure the temperature of the ${task.substance.name}, which is in the ${task.container}. First, focus on the ${task.substance.name}. ` +
      `If its temperature is above ${threshold} degrees Celsius, place the ${task.container} in the ${above} box. If it is below ${threshold} degrees Celsius, place it in the ${below} box.`;
  } else if (kind === "conductivity") {
    const conductive = rng.chance(0.5);
    const [yes, no] = rng.sample(BOX_COLOURS, 2);
    task = {
      kind,
      object: rng.pick(conductive ? CONDUCTORS : INSULATORS),
      conductive,
      objectRoom: movable(rng),
      yes: `${yes} box`,
      no: `${no} box`,
    };
    instruction =
      `Your task is to determine if the ${task.object} is electrically conductive. First, focus on the ${task.object}. ` +
      `If it is electrically conductive, place it in the ${yes} box. If it is not, place it in the ${no} box.`;
  } else {
    const target = rng.pick(Object.keys(PAINTS));
    task = { kind, target, primaries: PAINTS[target] };
    instruction = `Your task is to use chemistry to create ${target} paint. When you are done, focus on the ${target} paint.`;
  }
  const clutter = Object.fromEntries(
    ROOMS.map((room) => [room, rng.sample(CLUTTER, rng.range(1, 3))]),
  ) as Record<Room, string[]>;
  return { instruction, data: { task, clutter } };
}

export const paintMix = (a: string, b: string): string | undefined =>
  Object.entries(PAINTS).find(([, [x, y]]) => (x === a && y === b) || (x === b && y === a))?.[0];
