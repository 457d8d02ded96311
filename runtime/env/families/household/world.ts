/** Household (ALFWorld-like) worlds: scenes, receptacles, objects, goals, and their generator. */
import type { Rng } from "../../../util/random.ts";
import type { TaskContent } from "../../common/tasks.ts";

export type Scene = "kitchen" | "livingroom" | "bedroom" | "bathroom";
export type GoalKind = "place" | "clean" | "heat" | "cool" | "examine" | "place_two";
export const GOAL_KINDS: readonly GoalKind[] = ["place", "clean", "heat", "cool", "examine", "place_two"];

export interface HouseholdData {
  scene: Scene;
  /** Receptacle instances, e.g. { name: "cabinet 1", openable: true }, in the order the room lists them. */
  receptacles: Array<{ name: string; openable: boolean }>;
  /** Object instances and the receptacle each starts in. */
  objects: Array<{ name: string; at: string }>;
  /** The receptacle the desklamp stands on (examine goals only). */
  desklamp?: string;
  /** `object` is an object type; `target` a receptacle type (any instance of it counts). */
  goal: { kind: GoalKind; object: string; target?: string };
}

export interface HouseholdOptions {
  difficulty: "easy" | "medium" | "hard";
  goal: "any" | GoalKind;
}

/** Receptacle types of each scene with the [min, max] number of instances. */
const SCENE_RECEPTACLES: Record<Scene, Array<[string, number, number]>> = {
  kitchen: [
    ["cabinet", 2, 6],
    ["drawer", 1, 4],
    ["countertop", 1, 3],
    ["fridge", 1, 1],
    ["microwave", 1, 1],
    ["sinkbasin", 1, 1],
    ["stoveburner", 2, 4],
    ["coffeemachine", 1, 1],
    ["toaster", 1, 1],
    ["diningtable", 1, 1],
    ["shelf", 0, 2],
    ["garbagecan", 1, 1],
  ],
  livingroom: [
    ["sofa", 1, 1],
    ["armchair", 0, 1],
    ["coffeetable", 1, 2],
    ["sidetable", 1, 2],
    ["shelf", 1, 3],
    ["drawer", 1, 4],
    ["cabinet", 0, 3],
    ["tvstand", 1, 1],
    ["dresser", 0, 1],
    ["garbagecan", 1, 1],
  ],
  bedroom: [
    ["bed", 1, 1],
    ["desk", 1, 2],
    ["sidetable", 1, 2],
    ["dresser", 1, 1],
    ["drawer", 2, 5],
    ["shelf", 1, 3],
    ["safe", 0, 1],
    ["laundryhamper", 0, 1],
    ["garbagecan", 1, 1],
  ],
  bathroom: [
    ["toilet", 1, 1],
    ["sinkbasin", 1, 2],
    ["bathtubbasin", 1, 1],
    ["countertop", 1, 1],
    ["cabinet", 2, 4],
    ["drawer", 1, 3],
    ["towelholder", 1, 1],
    ["handtowelholder", 1, 1],
    ["toiletpaperhanger", 1, 1],
    ["shelf", 0, 2],
    ["garbagecan", 1, 1],
  ],
};

export const OPENABLE = new Set(["cabinet", "drawer", "fridge", "microwave", "safe"]);
/** Receptacles one puts things "on" (the rest take things "in"). */
const SURFACES = new Set([
  "countertop",
  "diningtable",
  "shelf",
  "stoveburner",
  "sofa",
  "armchair",
  "coffeetable",
  "sidetable",
  "tvstand",
  "dresser",
  "bed",
  "desk",
  "toilet",
  "towelholder",
  "handtowelholder",
  "toiletpaperhanger",
  "coffeemachine",
  "toaster",
]);
export const preposition = (receptacleType: string) => (SURFACES.has(receptacleType) ? "on" : "in");

export interface ObjectKind {
  /** Receptacle types where this object is usually found, most likely first (commonsense priors). */
  likely: string[];
  heat?: boolean;
  cool?: boolean;
  clean?: boolean;
  examine?: boolean;
  /** Receptacle types it makes sense to put it in or on, for placement goals. */
  targets: string[];
}

const FOOD_TARGETS = ["countertop", "diningtable", "fridge", "microwave", "garbagecan"];
const DISH_TARGETS = ["countertop", "diningtable", "cabinet", "shelf", "fridge", "microwave"];
const UTENSIL_TARGETS = ["countertop", "diningtable", "drawer", "sinkbasin"];
const SMALL_TARGETS = [
  "sidetable",
  "coffeetable",
  "shelf",
  "drawer",
  "dresser",
  "desk",
  "sofa",
  "bed",
  "safe",
];
const BATH_TARGETS = ["countertop", "cabinet", "toilet", "shelf", "garbagecan", "bathtubbasin"];

export const OBJECTS: Record<Scene, Record<string, ObjectKind>> = {
  kitchen: {
    apple: {
      likely: ["countertop", "diningtable", "fridge", "garbagecan"],
      heat: true,
      cool: true,
      clean: true,
      targets: FOOD_TARGETS,
    },
    bread: { likely: ["countertop", "diningtable", "fridge"], heat: true, cool: true, targets: FOOD_TARGETS },
    egg: { likely: ["fridge", "countertop", "diningtable"], heat: true, cool: true, targets: FOOD_TARGETS },
    potato: {
      likely: ["fridge", "countertop", "diningtable", "garbagecan"],
      heat: true,
      cool: true,
      clean: true,
      targets: FOOD_TARGETS,
    },
    tomato: {
      likely: ["fridge", "countertop", "diningtable"],
      heat: true,
      cool: true,
      clean: true,
      targets: FOOD_TARGETS,
    },
    lettuce: {
      likely: ["fridge", "countertop", "diningtable"],
      cool: true,
      clean: true,
      targets: FOOD_TARGETS,
    },
    mug: {
      likely: ["coffeemachine", "cabinet", "countertop", "sinkbasin", "shelf"],
      heat: true,
      cool: true,
      clean: true,
      targets: [...DISH_TARGETS, "coffeemachine"],
    },
    cup: {
      likely: ["cabinet", "countertop", "diningtable", "fridge", "sinkbasin"],
      heat: true,
      cool: true,
      clean: true,
      targets: DISH_TARGETS,
    },
    plate: {
      likely: ["cabinet", "countertop", "diningtable", "fridge"],
      heat: true,
      cool: true,
      clean: true,
      targets: DISH_TARGETS,
    },
    bowl: {
      likely: ["cabinet", "countertop", "diningtable", "fridge", "shelf"],
      heat: true,
      cool: true,
      clean: true,
      targets: DISH_TARGETS,
    },
    pan: {
      likely: ["stoveburner", "countertop", "cabinet"],
      cool: true,
      clean: true,
      targets: ["countertop", "diningtable", "cabinet", "stoveburner", "fridge"],
    },
    pot: {
      likely: ["stoveburner", "countertop", "cabinet", "fridge"],
      cool: true,
      clean: true,
      targets: ["countertop", "diningtable", "cabinet", "stoveburner", "fridge"],
    },
    knife: { likely: ["countertop", "drawer", "diningtable"], clean: true, targets: UTENSIL_TARGETS },
    fork: { likely: ["drawer", "countertop", "diningtable"], clean: true, targets: UTENSIL_TARGETS },
    spoon: { likely: ["drawer", "countertop", "diningtable"], clean: true, targets: UTENSIL_TARGETS },
    spatula: { likely: ["drawer", "countertop", "diningtable"], clean: true, targets: UTENSIL_TARGETS },
    ladle: { likely: ["drawer", "countertop", "diningtable"], clean: true, targets: UTENSIL_TARGETS },
    saltshaker: {
      likely: ["cabinet", "countertop", "shelf", "diningtable"],
      targets: ["countertop", "diningtable", "cabinet", "shelf", "drawer"],
    },
    peppershaker: {
      likely: ["cabinet", "countertop", "shelf", "diningtable"],
      targets: ["countertop", "diningtable", "cabinet", "shelf", "drawer"],
    },
    winebottle: {
      likely: ["fridge", "cabinet", "countertop", "diningtable"],
      targets: ["countertop", "diningtable", "cabinet", "fridge", "shelf", "garbagecan"],
    },
    dishsponge: {
      likely: ["sinkbasin", "countertop", "cabinet", "drawer"],
      targets: ["countertop", "cabinet", "drawer", "shelf", "garbagecan"],
    },
  },
  livingroom: {
    book: {
      likely: ["sofa", "coffeetable", "sidetable", "shelf", "drawer"],
      examine: true,
      targets: SMALL_TARGETS,
    },
    remotecontrol: {
      likely: ["sofa", "coffeetable", "sidetable", "tvstand", "armchair"],
      examine: true,
      targets: SMALL_TARGETS,
    },
    keychain: {
      likely: ["coffeetable", "sidetable", "drawer", "dresser", "shelf"],
      examine: true,
      targets: SMALL_TARGETS,
    },
    creditcard: {
      likely: ["coffeetable", "sidetable", "drawer", "sofa", "armchair"],
      examine: true,
      targets: SMALL_TARGETS,
    },
    newspaper: {
      likely: ["sofa", "coffeetable", "sidetable", "armchair"],
      examine: true,
      targets: [...SMALL_TARGETS, "garbagecan"],
    },
    pillow: { likely: ["sofa", "armchair"], targets: ["sofa", "armchair", "coffeetable"] },
    vase: { likely: ["shelf", "sidetable", "coffeetable", "tvstand"], examine: true, targets: SMALL_TARGETS },
    statue: {
      likely: ["shelf", "sidetable", "coffeetable", "dresser"],
      examine: true,
      targets: SMALL_TARGETS,
    },
    watch: {
      likely: ["sidetable", "dresser", "drawer", "coffeetable"],
      examine: true,
      targets: SMALL_TARGETS,
    },
    box: { likely: ["coffeetable", "sidetable", "shelf", "sofa"], examine: true, targets: SMALL_TARGETS },
    laptop: {
      likely: ["sofa", "coffeetable", "sidetable"],
      examine: true,
      targets: ["sofa", "coffeetable", "sidetable", "armchair"],
    },
    tissuebox: { likely: ["coffeetable", "sidetable", "shelf", "tvstand"], targets: SMALL_TARGETS },
  },
  bedroom: {
    alarmclock: { likely: ["desk", "sidetable", "dresser", "shelf"], examine: true, targets: SMALL_TARGETS },
    book: { likely: ["bed", "desk", "sidetable", "shelf", "drawer"], examine: true, targets: SMALL_TARGETS },
    cd: { likely: ["desk", "drawer", "shelf", "sidetable", "safe"], examine: true, targets: SMALL_TARGETS },
    cellphone: {
      likely: ["bed", "desk", "sidetable", "dresser", "drawer"],
      examine: true,
      targets: SMALL_TARGETS,
    },
    creditcard: { likely: ["desk", "drawer", "sidetable", "dresser"], examine: true, targets: SMALL_TARGETS },
    keychain: {
      likely: ["desk", "dresser", "drawer", "safe", "sidetable"],
      examine: true,
      targets: SMALL_TARGETS,
    },
    laptop: { likely: ["bed", "desk"], examine: true, targets: ["bed", "desk", "sidetable", "dresser"] },
    pen: { likely: ["desk", "drawer", "sidetable", "shelf"], examine: true, targets: SMALL_TARGETS },
    pencil: { likely: ["desk", "drawer", "sidetable", "shelf"], examine: true, targets: SMALL_TARGETS },
    pillow: { likely: ["bed"], targets: ["bed", "desk", "sidetable"] },
    mug: {
      likely: ["desk", "shelf", "sidetable"],
      examine: true,
      targets: ["desk", "shelf", "sidetable", "dresser"],
    },
    cloth: {
      likely: ["laundryhamper", "drawer", "bed", "dresser"],
      targets: ["laundryhamper", "drawer", "bed", "dresser"],
    },
    baseballbat: { likely: ["bed", "desk", "shelf"], targets: ["bed", "desk", "shelf"] },
  },
  bathroom: {
    soapbar: {
      likely: ["countertop", "bathtubbasin", "sinkbasin", "toilet", "cabinet"],
      clean: true,
      targets: BATH_TARGETS,
    },
    soapbottle: { likely: ["countertop", "toilet", "cabinet", "shelf"], targets: BATH_TARGETS },
    spraybottle: { likely: ["countertop", "toilet", "cabinet", "shelf"], targets: BATH_TARGETS },
    toiletpaper: {
      likely: ["toiletpaperhanger", "toilet", "countertop", "cabinet", "shelf"],
      targets: [...BATH_TARGETS, "toiletpaperhanger"],
    },
    towel: {
      likely: ["towelholder", "countertop", "cabinet"],
      targets: ["towelholder", "countertop", "cabinet", "bathtubbasin"],
    },
    handtowel: {
      likely: ["handtowelholder", "countertop", "cabinet"],
      targets: ["handtowelholder", "countertop", "cabinet"],
    },
    cloth: {
      likely: ["countertop", "cabinet", "bathtubbasin", "sinkbasin", "drawer"],
      clean: true,
      targets: BATH_TARGETS,
    },
    candle: { likely: ["countertop", "toilet", "cabinet", "shelf"], targets: BATH_TARGETS },
    dishsponge: {
      likely: ["countertop", "cabinet", "drawer", "sinkbasin"],
      clean: true,
      targets: BATH_TARGETS,
    },
    tissuebox: { likely: ["toilet", "countertop", "shelf"], targets: BATH_TARGETS },
  },
};

/** The receptacle types where a desklamp can stand. */
const LAMP_STANDS = ["sidetable", "desk", "dresser"];

/** Scenes in which a goal kind can be set. */
const GOAL_SCENES: Record<GoalKind, Scene[]> = {
  place: ["kitchen", "livingroom", "bedroom", "bathroom"],
  clean: ["kitchen", "bathroom"],
  heat: ["kitchen"],
  cool: ["kitchen"],
  examine: ["livingroom", "bedroom"],
  place_two: ["kitchen", "livingroom", "bedroom", "bathroom"],
};

const SIZES = {
  easy: { receptacleScale: 0.5, distractors: [3, 6] },
  medium: { receptacleScale: 0.75, distractors: [6, 10] },
  hard: { receptacleScale: 1, distractors: [9, 14] },
} as const;

/** "a" or "an", by the word's first letter. */
export const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

export const typeOf = (name: string) => name.replace(/ \d+$/, "");

/** Makes one household task; rng draws every choice. */
export function makeHouseholdTask(rng: Rng, options: HouseholdOptions): TaskContent<HouseholdData> {
  const kind: GoalKind = options.goal === "any" ? rng.pick(GOAL_KINDS) : options.goal;
  const scene = rng.pick(GOAL_SCENES[kind]);
  const size = SIZES[options.difficulty];

  const receptacles: HouseholdData["receptacles"] = [];
  for (const [type, min, max] of SCENE_RECEPTACLES[scene]) {
    const count = Math.max(min, Math.round(min + (max - min) * size.receptacleScale * rng.next()));
    for (let i = 1; i <= count; i++) receptacles.push({ name: `${type} ${i}`, openable: OPENABLE.has(type) });
  }
  const present = new Set(receptacles.map((r) => typeOf(r.name)));
  const kinds = OBJECTS[scene];
  const candidates = Object.keys(kinds).filter((type) => {
    const object = kinds[type];
    if (kind === "heat" || kind === "cool" || kind === "clean" || kind === "examine") {
      if (!object[kind]) return false;
    }
    return object.likely.some((t) => present.has(t));
  });
  const objectType = rng.pick(candidates);
  const object = kinds[objectType];
  let target: string | undefined;
  if (kind !== "examine") {
    const targets = object.targets.filter((t) => present.has(t) && !(kind === "heat" && t === "fridge"));
    target = rng.pick(targets);
  }

  // Goal objects go only where commonsense says they are (never already in the target receptacle),
  // so a searcher that checks the likely places first finds them.
  const likelySpots = receptacles.filter(
    (r) => object.likely.includes(typeOf(r.name)) && typeOf(r.name) !== target,
  );
  const spots = likelySpots.length > 0 ? likelySpots : receptacles.filter((r) => typeOf(r.name) !== target);
  const goalCount =
    kind === "place_two" ? rng.range(2, 3) : rng.range(1, options.difficulty === "easy" ? 1 : 2);
  const counters = new Map<string, number>();
  const nextName = (type: string) => {
    const n = (counters.get(type) ?? 0) + 1;
    counters.set(type, n);
    return `${type} ${n}`;
  };
  const objects: HouseholdData["objects"] = [];
  for (let i = 0; i < goalCount; i++) objects.push({ name: nextName(objectType), at: rng.pick(spots).name });

  const distractorTypes = Object.keys(kinds).filter((t) => t !== objectType);
  const distractorCount = rng.range(size.distractors[0], size.distractors[1]);
  for (let i = 0; i < distractorCount; i++) {
    const type = rng.pick(distractorTypes);
    const where = receptacles.filter((r) => kinds[type].likely.includes(typeOf(r.name)));
    objects.push({ name: nextName(type), at: rng.pick(where.length > 0 ? where : receptacles).name });
  }
  // Shuffle so instance numbers do not reveal which objects were placed first.
  const shuffled = rng.shuffle(objects);

  let desklamp: string | undefined;
  if (kind === "examine") {
    const stands = receptacles.filter((r) => LAMP_STANDS.includes(typeOf(r.name)));
    desklamp = rng.pick(stands).name;
  }

  const data: HouseholdData = {
    scene,
    receptacles,
    objects: shuffled,
    goal: { kind, object: objectType, target },
  };
  if (desklamp) data.desklamp = desklamp;
  return { instruction: goalText(data.goal, rng.chance(0.5)), data };
}

/** ALFWorld's phrasings of the goal; `alternate` picks the second wording. */
export function goalText(goal: HouseholdData["goal"], alternate: boolean): string {
  const { kind, object } = goal;
  const target = goal.target ?? "";
  const prep = preposition(target);
  switch (kind) {
    case "place":
      return alternate
        ? `put some ${object} ${prep} ${target}.`
        : `put ${article(object)} ${prep} ${target}.`;
    case "clean":
      return alternate
        ? `clean some ${object} and put it ${prep} ${target}.`
        : `put a clean ${object} ${prep} ${target}.`;
    case "heat":
      return alternate
        ? `heat some ${object} and put it ${prep} ${target}.`
        : `put a hot ${object} ${prep} ${target}.`;
    case "cool":
      return alternate
        ? `cool some ${object} and put it ${prep} ${target}.`
        : `put a cool ${object} ${prep} ${target}.`;
    case "examine":
      return alternate ? `examine the ${object} with the desklamp.` : `look at ${object} under the desklamp.`;
    case "place_two":
      return alternate
        ? `find two ${object} and put them ${prep} ${target}.`
        : `put two ${object} ${prep} ${target}.`;
  }
}
