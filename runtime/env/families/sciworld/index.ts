import { defineFamily } from "../../common/family.ts";
import type { Move } from "../../types.ts";
import { SCI_ACTION_HELP, SciSimulation } from "./simulation.ts";
import { makeSciTask, ROOMS, type Room, type SciData, type SciOptions } from "./world.ts";

/**
 * The sciworld expert: explores rooms until it sees what it needs (it reads each room's description), then
 * carries out the procedure. It plans on a private copy of the episode, so its thoughts cite only what the
 * room descriptions and tool readings have shown.
 */
function planSci(data: SciData, instruction: string): Move[] {
  const sim = new SciSimulation(data, instruction);
  let observation = sim.reset().observation;
  const moves: Move[] = [];
  let room: Room = "hallway";
  // Only the room descriptions count as sightings (the instruction above them names things too).
  const roomPart = (text: string) => text.slice(text.indexOf("This room is called"));
  const seenIn = new Map<Room, string>([["hallway", roomPart(observation)]]);
  const act = (thought: string, action: string) => {
    moves.push({ thought, action });
    observation = sim.step(action).observation;
    const moved = action.match(/^go to (.+)$/);
    if (moved) {
      room = moved[1] as Room;
      seenIn.set(room, roomPart(observation));
    }
  };
  /** Goes to wherever `thing` was seen, exploring unseen rooms in order until it shows up. */
  const find = (thing: string, why: string) => {
    const known = [...seenIn].find(([, text]) => text.includes(thing));
    if (known) {
      if (known[0] !== room)
        act(`${why}I saw the ${thing} in the ${known[0]}, so I'll go there.`, `go to ${known[0]}`);
      return;
    }
    let lead = `${why}I haven't seen the ${thing} yet, so I'll look in the `;
    for (const next of ROOMS) {
      if (seenIn.has(next)) continue;
      act(`${lead}${next}.`, `go to ${next}`);
      if (observation.includes(thing)) return;
      lead = `There is no ${thing} in the ${next} either. Next I'll look in the `;
    }
  };
  const { task } = data;
  if (task.kind === "change_state") {
    const { substance, container } = task;
    find(substance.name, `I need to ${task.goal} the ${substance.name}. First I have to find it. `);
    act(
      `The ${container} here contains ${substance.name}. The task says to focus on the substance first.`,
      `focus on ${substance.name}`,
    );
    act(`To heat the ${substance.name} I'll carry the ${container} to a stove.`, `pick up ${container}`);
    find("stove", "Now I need a stove. ");
    act(`I'm at the stove with the ${container}. I'll put it on the stove.`, `put ${container} on stove`);
    act(`The ${container} is on the stove. I'll turn the stove on to heat it.`, "activate stove");
    const goal =
      task.goal === "boil"
        ? "steam"
        : substance.name === "ice" || substance.name === "snow"
          ? "water"
          : `melted ${substance.name}`;
    for (let i = 0; i < 8 && !observation.includes(`turns into ${goal}`); i++) {
      act(
        i === 0
          ? `The stove is on. Heating takes time, so I'll wait until the ${substance.name} ${task.goal === "boil" ? "boils" : "melts"}.`
          : `The ${substance.name} has not ${task.goal === "boil" ? "boiled" : "melted"} yet, so I'll keep waiting.`,
        "wait",
      );
    }
  } else if (task.kind === "thermometer") {
    const { substance, container } = task;
    find(
      "thermometer",
      `I need to measure the ${substance.name}'s temperature, so first I need a thermometer. `,
    );
    act("Here is the thermometer. I'll take it with me.", "pick up thermometer");
    find(substance.name, `Now I need the ${substance.name} in the ${container}. `);
    act(
      `The ${container} here holds the ${substance.name}. The task says to focus on it first.`,
      `focus on ${substance.name}`,
    );
    act(
      `Now I'll measure the ${substance.name} with the thermometer.`,
      `use thermometer on ${substance.name}`,
    );
    const reading = Number(observation.match(/temperature of (-?\d+) degrees/)![1]);
    const box = reading > task.threshold ? task.above : task.below;
    const compare = reading > task.threshold ? "above" : "below";
    act(
      `The reading is ${reading} degrees Celsius, ${compare} ${task.threshold}, so the ${container} goes in the ${box}. I'll pick it up.`,
      `pick up ${container}`,
    );
    find(box, `Next I need to find the ${box}. `);
    act(`I'm at the ${box}. I'll place the ${container} in it.`, `put ${container} in ${box}`);
  } else if (task.kind === "conductivity") {
    find(task.object, `I need to test the ${task.object}. First I have to find it. `);
    act(`Here is the ${task.object}. The task says to focus on it first.`, `focus on ${task.object}`);
    act(`I'll pick up the ${task.object} to test it.`, `pick up ${task.object}`);
    find("circuit tester", "Now I need a circuit tester to check conductivity. ");
    act(
      `I'll connect the ${task.object} to the circuit tester and see whether the bulb lights.`,
      `use circuit tester on ${task.object}`,
    );
    const conducts = observation.includes("turns on");
    const box = conducts ? task.yes : task.no;
    find(box, "");
    act(
      `The light bulb ${conducts ? "turned on, so the object conducts electricity" : "stayed off, so the object does not conduct electricity"}; it belongs in the ${box}.`,
      `put ${task.object} in ${box}`,
    );
  } else {
    const [a, b] = task.primaries;
    find(
      "jar",
      `${task.target[0].toUpperCase()}${task.target.slice(1)} paint is made by mixing ${a} and ${b}. I need paints and something to mix them in. `,
    );
    act(`This room has paints and a jar. I'll pick up the ${a}.`, `pick up ${a}`);
    act(`I'll pour the ${a} into the jar.`, `put ${a} in jar`);
    act(`Next, the ${b}.`, `pick up ${b}`);
    act(`I'll pour the ${b} into the jar as well.`, `put ${b} in jar`);
    act(`The jar holds ${a} and ${b}. Mixing them should give ${task.target} paint.`, "mix jar");
    act(
      `The jar now holds ${task.target} paint. The task says to focus on it.`,
      `focus on ${task.target} paint`,
    );
  }
  return moves;
}

export const sciworld = defineFamily<SciData, SciOptions>({
  family: "sciworld",
  group: "held-out",
  description:
    "ScienceWorld-like lab procedures in four rooms: change a substance's state on a stove, measure a temperature " +
    "and sort by it, test electrical conductivity, mix primary paints. Each task has four subgoals; the reward " +
    "after every step is the fraction completed so far (partial credit), and 1 with success when all are done. " +
    "Focusing on the wrong thing, a wrong box or a spoilt mixture ends the task with the credit earned.",
  actionSpace: `One command per turn: ${SCI_ACTION_HELP}. Rooms: ${ROOMS.join(", ")}; you can go to any room from any room. Time passes only when you wait.`,
  maxTurns: 30,
  options: {
    task: {
      description: "restrict tasks to one procedure, or 'any'",
      default: "any",
      choices: ["any", "change_state", "thermometer", "conductivity", "paint"],
    },
  },
  generate: makeSciTask,
  simulate: (data, task) => new SciSimulation(data, task.instruction),
  plan: (data, task) => planSci(data, task.instruction),
  afterEnd: { thought: "The task is complete.", action: "look around" },
  exampleOptions: { task: "thermometer" },
});
