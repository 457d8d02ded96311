// A tiny environment for runtime tests: reach a target number from 0 with "add N" actions.
import type { Environment, EnvTask } from "../../runtime/env/types.ts";

export interface CounterData {
  target: number;
}

export function counterEnv(options: { throwOnStep?: number } = {}): Environment & { closed: number } {
  const env = {
    closed: 0,
    family: "counter",
    group: "held-in" as const,
    description: "Reach the target number by adding 1, 2 or 3.",
    actionSpace: "add 1 | add 2 | add 3",
    maxTurns: 10,
    tasks: ({ split, count, seed }: { split: "train" | "test"; count: number; seed: number }): EnvTask[] =>
      Array.from({ length: count }, (_, i) => ({
        id: `counter/${split}/${i}`,
        family: "counter",
        split,
        instruction: `reach ${4 + ((seed + i) % 5)}`,
        data: { target: 4 + ((seed + i) % 5) } satisfies CounterData,
      })),
    example: {
      instruction: "reach 2",
      observation: "value 0",
      steps: [{ thought: "2 more needed.", action: "add 2", observation: "value 2. Done." }],
    },
    async open(task: EnvTask) {
      const { target } = task.data as CounterData;
      let value = 0;
      let steps = 0;
      return {
        reset: async () => ({ observation: "value 0" }),
        validActions: () => ["add 1", "add 2", "add 3"],
        step: async (action: string) => {
          steps++;
          if (options.throwOnStep === steps) throw new Error("simulated crash");
          const match = /^add ([123])$/.exec(action);
          if (!match)
            return {
              observation: `'${action}' is not valid`,
              reward: 0,
              done: false,
              info: { valid: false },
            };
          value += Number(match[1]);
          const done = value >= target;
          const reward = value === target ? 1 : 0;
          return {
            observation: `value ${value}`,
            reward: done ? reward : 0,
            done,
            info: { valid: true, success: done && reward === 1 },
          };
        },
        close: async () => {
          env.closed++;
        },
      };
    },
    expert(task: EnvTask) {
      const { target } = task.data as CounterData;
      let value = 0;
      return {
        next() {
          const add = Math.min(3, target - value);
          value += add;
          return { thought: `I am ${target - value + add} away from ${target}.`, action: `add ${add}` };
        },
      };
    },
  };
  return env;
}

/** An instance for tests that load the environment as a user module. */
export const counter = counterEnv();
