/**
 * The household expert: searches the likely receptacles for the goal object (commonsense priors only),
 * remembers what each observation showed, and carries out the goal. It plans by playing a private copy
 * of the episode, so every thought cites only what the observations so far have shown.
 */
import type { Move } from "../../types.ts";
import { article, HouseholdSimulation } from "./simulation.ts";
import { type HouseholdData, OBJECTS, preposition, typeOf } from "./world.ts";

const LAMP_STANDS = ["sidetable", "desk", "dresser"];

/** "countertop (1-3), cabinet (1-6)" for the receptacles of the given types that exist here. */
function describeSpots(types: string[], receptacles: string[]): string {
  const parts: string[] = [];
  for (const type of types) {
    const numbers = receptacles.filter((r) => typeOf(r) === type).map((r) => Number(r.split(" ")[1]));
    if (numbers.length === 0) continue;
    parts.push(numbers.length === 1 ? `${type} (${numbers[0]})` : `${type} (1-${Math.max(...numbers)})`);
  }
  return parts.join(", ");
}

export function planHousehold(data: HouseholdData, instruction: string): Move[] {
  const sim = new HouseholdSimulation(data, instruction);
  sim.reset();
  const moves: Move[] = [];
  let done = false;
  let lastObservation = "";
  const act = (thought: string, action: string) => {
    if (done) return;
    const result = sim.step(action);
    moves.push({ thought, action });
    lastObservation = result.observation;
    done = result.done;
  };

  const { kind, object, target } = data.goal;
  const receptacles = data.receptacles.map((r) => r.name);
  const likely = OBJECTS[data.scene][object].likely;
  const rank = (r: string) => {
    const i = likely.indexOf(typeOf(r));
    return i < 0 ? likely.length : i;
  };
  // Search the likely places first; the target receptacles cannot hold the object yet, or the task would be done.
  const searchOrder = receptacles.filter((r) => typeOf(r) !== target).sort((a, b) => rank(a) - rank(b));
  const seen = new Map<string, string[]>();
  const visited = new Set<string>();
  let lampAt: string | undefined;
  const record = (receptacle: string) => {
    const m = lastObservation.match(/you see (.*)\.$/);
    if (!m) return;
    const names = m[1] === "nothing" ? [] : [...m[1].matchAll(/an? ([a-z]+ \d+)/g)].map((x) => x[1]);
    seen.set(receptacle, names);
    if (names.includes("desklamp 1")) lampAt = receptacle;
  };
  const opened = new Set<string>();
  const arrive = (receptacle: string, thought: string) => {
    act(thought, `go to ${receptacle}`);
    visited.add(receptacle);
    const isOpenable = data.receptacles.some((r) => r.name === receptacle && r.openable);
    if (isOpenable && !opened.has(receptacle)) {
      act(`The ${receptacle} is closed. I'll open it to see what is inside.`, `open ${receptacle}`);
      opened.add(receptacle);
    }
    record(receptacle);
  };
  const knownSpot = (type: string) =>
    [...seen].find(([r, names]) => typeOf(r) !== target && names.some((n) => typeOf(n) === type));

  let currentAt = "";
  /** Finds and takes one goal object; `lead` opens the first thought of the search. */
  const findAndTake = (lead: string): string => {
    let why = lead;
    for (;;) {
      const known = knownSpot(object);
      if (known) {
        const [spot, names] = known;
        const name = names.find((n) => typeOf(n) === object)!;
        if (currentAt !== spot) {
          act(
            `${why}I saw ${article(name)} ${preposition(typeOf(spot))} the ${spot} earlier, so I'll go back there.`,
            `go to ${spot}`,
          );
          currentAt = spot;
          why = "";
        }
        act(`${why}Now I find ${article(name)}. Next, I need to take it.`, `take ${name} from ${spot}`);
        seen.set(
          spot,
          names.filter((n) => n !== name),
        );
        return name;
      }
      const next = searchOrder.find((r) => !visited.has(r));
      if (!next)
        throw new Error(
          `household expert: no ${object} found in any receptacle; the task generator is broken.`,
        );
      arrive(next, `${why}I'll check ${next}.`);
      currentAt = next;
      why = `There is no ${object} at the ${next}. Next, `;
      if ((seen.get(next) ?? []).some((n) => typeOf(n) === object)) why = "";
    }
  };

  const goTo = (receptacle: string, thought: string) => {
    if (currentAt !== receptacle) {
      arrive(receptacle, thought);
      currentAt = receptacle;
      return;
    }
    const isOpenable = data.receptacles.some((r) => r.name === receptacle && r.openable);
    if (isOpenable && !opened.has(receptacle)) {
      act(`${thought} The ${receptacle} is closed, so I'll open it first.`, `open ${receptacle}`);
      opened.add(receptacle);
    }
  };

  const spots = describeSpots(
    likely.filter((t) => t !== target),
    receptacles,
  );
  const process = {
    heat: "heat it with microwave",
    cool: "cool it with fridge",
    clean: "clean it with sinkbasin",
  } as const;
  const targetInstance = target ? receptacles.find((r) => typeOf(r) === target)! : "";
  const prep = target ? preposition(target) : "";
  let plan: string;
  if (kind === "examine") plan = `find and take ${article(object)}, then find and use a desklamp`;
  else if (kind === "place_two")
    plan = `find and take the first ${object}, then put it ${prep} ${target}, then find and take the second ${object}, then put it ${prep} ${target}`;
  else if (kind === "place") plan = `find and take ${article(object)}, then put it ${prep} ${target}`;
  else plan = `find and take ${article(object)}, then ${process[kind]}, then put it ${prep} ${target}`;
  const opening =
    `To solve the task, I need to ${plan}. First I need to find ${article(object)}. ` +
    (spots
      ? `${article(object)[0].toUpperCase()}${article(object).slice(1)} is more likely to appear in ${spots}. `
      : "") +
    "I can check the receptacles one by one. ";
  const held = findAndTake(opening);

  if (kind === "heat" || kind === "cool" || kind === "clean") {
    const tool =
      kind === "heat"
        ? "microwave 1"
        : kind === "cool"
          ? "fridge 1"
          : receptacles.find((r) => typeOf(r) === "sinkbasin")!;
    act(`Now I take ${article(held)}. Next, I need to go to ${tool} and ${kind} it.`, `go to ${tool}`);
    visited.add(tool);
    currentAt = tool;
    act(`I'm at the ${tool}. I'll ${kind} the ${held} with it.`, `${kind} ${held} with ${tool}`);
  }

  if (kind === "examine") {
    if (lampAt) {
      goTo(lampAt, `Now I take ${article(held)}. I saw the desklamp 1 on the ${lampAt}, so I'll go there.`);
    } else {
      const stands = receptacles.filter((r) => LAMP_STANDS.includes(typeOf(r)));
      let why = `Now I take ${article(held)}. Next, I need to find a desklamp. A desklamp is more likely to appear in ${describeSpots(LAMP_STANDS, receptacles)}. `;
      for (const stand of stands) {
        if (lampAt) break;
        if (visited.has(stand)) continue;
        goTo(stand, `${why}I'll check ${stand}.`);
        why = `There is no desklamp on the ${stand}. Next, `;
      }
    }
    act(
      `Now I'm at the ${currentAt} with the ${held} and the desklamp 1. I'll turn on the desklamp to look at it.`,
      "use desklamp 1",
    );
    return moves;
  }

  const putAway = (name: string, lead: string) => {
    goTo(targetInstance, `${lead}Next, I need to put it ${prep} ${targetInstance}.`);
    act(
      `I'm at the ${targetInstance}. I'll put the ${name} ${prep} it.`,
      `put ${name} in/on ${targetInstance}`,
    );
  };
  const processed = kind === "heat" ? "heat" : kind === "cool" ? "cool" : kind === "clean" ? "clean" : "take";
  putAway(held, `Now I ${processed} ${article(held)}. `);
  if (kind === "place_two" && !done) {
    const second = findAndTake(
      `Now I put the first ${object} ${prep} ${targetInstance}. Next, I need to find the second ${object}. `,
    );
    putAway(second, `Now I take the second ${object} (${second}). `);
  }
  return moves;
}
