/** The sciworld episode: rooms, portable things, a stove, a circuit tester, boxes, paints; scored by subgoals. */
import { invalidStep, type Simulation } from "../../common/episode.ts";
import type { ResetResult, StepResult } from "../../types.ts";
import { paintMix, ROOMS, type Room, type SciData } from "./world.ts";

export const SCI_ACTION_HELP =
  "look around, go to <room>, pick up <thing>, put <thing> in <container>, activate <device>, deactivate <device>, " +
  "use thermometer on <substance>, use circuit tester on <thing>, mix <container>, focus on <thing>, wait, inventory, examine <thing>";

const article = (word: string) => (/^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`);

/** Degrees a substance on a lit stove gains per `wait`. */
const HEAT_PER_WAIT = 25;

interface Thing {
  /** A room, "inventory", or the name of the thing it is in or on. */
  at: string;
  portable: boolean;
  container?: boolean;
}

export class SciSimulation implements Simulation {
  private location: Room = "hallway";
  private things = new Map<string, Thing>();
  private stoveOn = false;
  private temperature = 0;
  private focused: string | null = null;
  private done = new Set<number>();
  private measured = false;
  private tested = false;
  private jar: string[] = [];

  constructor(
    private readonly data: SciData,
    private readonly instruction: string,
  ) {}

  reset(): ResetResult {
    const { task } = this.data;
    this.location = "hallway";
    this.stoveOn = false;
    this.focused = null;
    this.done = new Set();
    this.measured = false;
    this.tested = false;
    this.jar = [];
    this.things = new Map();
    for (const room of ROOMS)
      for (const name of this.data.clutter[room]) this.things.set(name, { at: room, portable: true });
    this.things.set("stove", { at: "kitchen", portable: false, container: true });
    this.things.set("circuit tester", { at: "workshop", portable: false });
    if (task.kind === "change_state" || task.kind === "thermometer") {
      this.temperature = task.substance.temperature;
      this.things.set(task.container, { at: task.containerRoom, portable: true, container: true });
      this.things.set(task.substance.name, { at: task.container, portable: false });
    }
    if (task.kind === "thermometer") {
      this.things.set("thermometer", { at: task.thermometerRoom, portable: true });
      this.things.set(task.above, { at: task.boxRoom, portable: false, container: true });
      this.things.set(task.below, { at: task.boxRoom, portable: false, container: true });
    }
    if (task.kind === "conductivity") {
      this.things.set(task.object, { at: task.objectRoom, portable: true });
      this.things.set(task.yes, { at: "workshop", portable: false, container: true });
      this.things.set(task.no, { at: "workshop", portable: false, container: true });
    }
    if (task.kind === "paint") {
      for (const paint of ["red paint", "blue paint", "yellow paint"])
        this.things.set(paint, { at: "workshop", portable: true });
      this.things.set("jar", { at: "workshop", portable: true, container: true });
    }
    return { observation: `${this.instruction}\n\n${this.describeRoom()}` };
  }

  /** The substance's current name: ice and snow melt into water, water boils into steam. */
  private substanceName(): string {
    const { task } = this.data;
    if (task.kind !== "change_state" && task.kind !== "thermometer") return "";
    const s = task.substance;
    if (this.temperature >= s.boils) return "steam";
    if (this.temperature >= s.melts && (s.name === "ice" || s.name === "snow")) return "water";
    if (this.temperature >= s.melts && task.kind === "change_state" && s.name !== "water")
      return `melted ${s.name}`;
    return s.name;
  }

  private label(name: string): string {
    const thing = this.things.get(name)!;
    const inside = [...this.things]
      .filter(([, t]) => t.at === name)
      .map(([n]) => this.label(n).replace(/^an? /, ""));
    if (name === "stove") {
      return `a stove, which is turned ${this.stoveOn ? "on" : "off"} (on it: ${inside.length ? inside.join(", ") : "nothing"})`;
    }
    if (!thing.container) return article(this.shown(name));
    const contents = name === "jar" ? this.jar : inside;
    return `${article(name)} (containing: ${contents.length ? contents.join(", ") : "nothing"})`;
  }

  /** How a thing is named in text (the substance under its current name). */
  private shown(name: string): string {
    const { task } = this.data;
    return (task.kind === "change_state" || task.kind === "thermometer") && name === task.substance.name
      ? this.substanceName()
      : name;
  }

  private describeRoom(): string {
    const here = [...this.things].filter(([, t]) => t.at === this.location).map(([name]) => this.label(name));
    const exits = ROOMS.filter((r) => r !== this.location);
    return `This room is called the ${this.location}. In it, you see: ${here.join(", ")}. You can go to: ${exits.join(", ")}.`;
  }

  /** Whether a thing can be reached: in this room, carried, or inside something that is. */
  private reachable(name: string): boolean {
    const thing = this.things.get(name);
    if (!thing) return false;
    if (thing.at === this.location || thing.at === "inventory") return true;
    return this.things.has(thing.at) && this.reachable(thing.at);
  }

  /** Resolves what the agent typed to a thing's key (the substance may be called by its current name). */
  private resolve(text: string): string | undefined {
    const { task } = this.data;
    if ((task.kind === "change_state" || task.kind === "thermometer") && text === this.substanceName())
      return task.substance.name;
    if (
      task.kind === "paint" &&
      text === `${task.target} paint` &&
      this.jar.length === 1 &&
      this.jar[0] === text
    )
      return "jar";
    return this.things.has(text) ? text : undefined;
  }

  private score(): number {
    return this.done.size / 4;
  }

  private progress(observation: string): StepResult {
    const { task } = this.data;
    if (task.kind === "change_state") {
      if (this.things.get(task.container)!.at === "stove") this.done.add(1);
      if (this.stoveOn && this.done.has(1)) this.done.add(2);
      const changed =
        task.goal === "boil"
          ? this.temperature >= task.substance.boils
          : this.temperature >= task.substance.melts;
      if (changed && this.done.has(0)) this.done.add(3);
    }
    if (task.kind === "thermometer" && this.things.get("thermometer")!.at === "inventory") this.done.add(0);
    if (task.kind === "conductivity" && this.things.get(task.object)!.at === "inventory") this.done.add(1);
    const success = this.done.size === 4;
    return {
      observation,
      reward: this.score(),
      done: success,
      info: success ? { valid: true, success } : { valid: true },
    };
  }

  private finish(observation: string): StepResult {
    return {
      observation,
      reward: this.score(),
      done: true,
      info: { valid: true, success: this.done.size === 4 },
    };
  }

  step(raw: string): StepResult {
    const action = raw.trim().toLowerCase().replace(/\s+/g, " ").replace(/\.$/, "");
    const no = (why: string) => invalidStep(why, this.score());
    const unknown = (name: string) => no(`There is no ${name} here. ${this.describeRoom()}`);
    const { task } = this.data;
    if (action === "look around" || action === "look") return this.progress(this.describeRoom());
    if (action === "inventory") {
      const held = [...this.things].filter(([, t]) => t.at === "inventory").map(([n]) => this.label(n));
      return this.progress(
        held.length ? `In your inventory, you see: ${held.join(", ")}.` : "Your inventory is empty.",
      );
    }
    if (action === "wait" || action === "wait1") {
      let note = "";
      if (
        (task.kind === "change_state" || task.kind === "thermometer") &&
        this.stoveOn &&
        this.things.get(task.container)!.at === "stove"
      ) {
        const before = this.substanceName();
        this.temperature += HEAT_PER_WAIT;
        const after = this.substanceName();
        note =
          before === after
            ? ` The ${after} in the ${task.container} is getting warmer.`
            : ` The ${before} in the ${task.container} turns into ${after}.`;
      }
      return this.progress(`You wait for a while.${note}`);
    }
    let m = action.match(/^go to (?:the )?(.+)$/);
    if (m) {
      const room = m[1] as Room;
      if (!ROOMS.includes(room))
        return no(`There is no room called '${m[1]}'. You can go to: ${ROOMS.join(", ")}.`);
      if (room === this.location) return no(`You are already in the ${room}.`);
      this.location = room;
      return this.progress(`You move to the ${room}. ${this.describeRoom()}`);
    }
    m = action.match(/^(pick up|focus on|examine|activate|deactivate|mix) (?:the )?(.+)$/);
    if (m) {
      const [, verb, text] = m;
      const name = this.resolve(text);
      if (!name || !this.reachable(name)) return unknown(text);
      const thing = this.things.get(name)!;
      if (verb === "examine") return this.progress(`You see ${this.label(name)}.`);
      if (verb === "pick up") {
        if (!thing.portable) return no(`You cannot pick up the ${text}.`);
        if (thing.at === "inventory") return no(`You already carry the ${text}.`);
        thing.at = "inventory";
        return this.progress(`You move the ${text} to the inventory.`);
      }
      if (verb === "activate" || verb === "deactivate") {
        if (name !== "stove") return no(`The ${text} cannot be ${verb}d.`);
        this.stoveOn = verb === "activate";
        return this.progress(`The stove is now turned ${this.stoveOn ? "on" : "off"}.`);
      }
      if (verb === "mix") {
        if (name !== "jar" || task.kind !== "paint") return no(`There is nothing to mix in the ${text}.`);
        if (this.jar.length < 2) return no("The jar needs at least two paints to mix.");
        const colour = paintMix(this.jar[0], this.jar[1]);
        if (this.jar.length !== 2 || !colour)
          return this.finish("The paints mix into a muddy brown. The task cannot be completed any more.");
        this.jar = [`${colour} paint`];
        if (colour === task.target) this.done.add(2);
        return this.progress(`The paints in the jar mix into ${colour} paint.`);
      }
      // focus on: the task's target counts; anything else ends the task, as in ScienceWorld.
      const target =
        task.kind === "change_state" || task.kind === "thermometer"
          ? task.substance.name
          : task.kind === "conductivity"
            ? task.object
            : "jar";
      if (name !== target || (task.kind === "paint" && !this.done.has(2))) {
        return this.finish(`You focus on the ${text}. That is not what the task is about, so the task ends.`);
      }
      if (this.focused) return no(`You are already focused on the ${text}.`);
      this.focused = name;
      this.done.add(
        task.kind === "paint" ? 3 : task.kind === "conductivity" ? 0 : task.kind === "thermometer" ? 1 : 0,
      );
      return this.progress(`You focus on the ${text}.`);
    }
    m = action.match(/^(?:put|move) (?:the )?(.+?) (?:in|on|into|to) (?:the )?(.+)$/);
    if (m) {
      const [, text, intoText] = m;
      const name = this.resolve(text);
      const into = this.resolve(intoText);
      if (!name || !this.reachable(name)) return unknown(text);
      if (!into || !this.reachable(into)) return unknown(intoText);
      const thing = this.things.get(name)!;
      if (name === into) return no(`You cannot put the ${text} in itself.`);
      if (thing.at !== "inventory") return no(`You need to pick up the ${text} first.`);
      if (!this.things.get(into)!.container) return no(`You cannot put things in the ${intoText}.`);
      if (into === "jar") {
        if (!name.endsWith(" paint")) return no("Only paint goes in the jar.");
        this.things.delete(name);
        this.jar.push(name);
        if (task.kind === "paint" && task.primaries.includes(name)) this.done.add(this.done.has(0) ? 1 : 0);
        return this.progress(`You pour the ${text} into the jar.`);
      }
      thing.at = into;
      const moved = `You move the ${text} to the ${intoText}.`;
      if (task.kind === "thermometer" && name === task.container && into.endsWith(" box")) {
        const right = task.substance.temperature > task.threshold ? task.above : task.below;
        if (into === right && this.measured && this.focused) this.done.add(3);
        return this.finish(moved);
      }
      if (task.kind === "conductivity" && name === task.object && into.endsWith(" box")) {
        const right = task.conductive ? task.yes : task.no;
        if (into === right && this.tested && this.focused) this.done.add(3);
        return this.finish(moved);
      }
      return this.progress(moved);
    }
    m = action.match(/^use (?:the )?(thermometer|circuit tester) on (?:the )?(.+)$/);
    if (m) {
      const [, tool, text] = m;
      const name = this.resolve(text);
      if (!this.reachable(tool)) return unknown(tool);
      if (!name || !this.reachable(name)) return unknown(text);
      if (tool === "thermometer") {
        if (this.things.get("thermometer")!.at !== "inventory")
          return no("You need to pick up the thermometer first.");
        if ((task.kind !== "thermometer" && task.kind !== "change_state") || name !== task.substance.name) {
          return this.progress(`The thermometer measures a temperature of 21 degrees Celsius.`);
        }
        if (task.kind === "thermometer" && this.focused) {
          this.measured = true;
          this.done.add(2);
        }
        return this.progress(
          `The thermometer measures a temperature of ${this.temperature} degrees Celsius.`,
        );
      }
      if (this.things.get(name)!.at !== "inventory")
        return no(`Hold the ${text} to connect it to the circuit tester.`);
      const conducts = task.kind === "conductivity" && name === task.object ? task.conductive : false;
      if (task.kind === "conductivity" && name === task.object && this.focused) {
        this.tested = true;
        this.done.add(2);
      }
      return this.progress(
        `You connect the ${text} to the circuit tester. The light bulb ${conducts ? "turns on" : "stays off"}.`,
      );
    }
    return no(`'${raw.trim()}' is not a valid action. Valid actions look like: ${SCI_ACTION_HELP}.`);
  }

  /** Every command that is valid now (focusing on the wrong thing is valid: it ends the task). */
  validActions(): string[] {
    const { task } = this.data;
    const actions = ["look around", "inventory", "wait"];
    for (const room of ROOMS) if (room !== this.location) actions.push(`go to ${room}`);
    const reachable = [...this.things.keys()].filter((name) => this.reachable(name));
    const held = reachable.filter((name) => this.things.get(name)!.at === "inventory");
    for (const name of reachable) {
      const thing = this.things.get(name)!;
      const shown = this.shown(name);
      actions.push(`examine ${shown}`);
      if (thing.portable && thing.at !== "inventory") actions.push(`pick up ${shown}`);
      if (this.focused !== name) actions.push(`focus on ${shown}`);
      if (thing.container && name !== "jar")
        for (const item of held) if (item !== name) actions.push(`put ${item} in ${name}`);
    }
    if (reachable.includes("jar")) {
      for (const item of held) if (item.endsWith(" paint")) actions.push(`put ${item} in jar`);
      if (task.kind === "paint" && this.jar.length >= 2) actions.push("mix jar");
    }
    if (reachable.includes("stove")) actions.push("activate stove", "deactivate stove");
    if (held.includes("thermometer"))
      for (const name of reachable) actions.push(`use thermometer on ${this.shown(name)}`);
    if (reachable.includes("circuit tester"))
      for (const name of held) actions.push(`use circuit tester on ${name}`);
    return actions;
  }
}
