/**
 * An education tutor: a student's step-by-step solution to an arithmetic or a linear-equation
 * problem, with at most one mistake (the later steps follow consistently from it). The tutor finds
 * the first wrong step and explains it, or confirms the solution; it may check any arithmetic with
 * `evaluate:`.
 *
 * Try it: atune env play ./examples/envs/tutor.ts#tutorEnv
 */
import type { Environment, EnvTask, ExampleTrajectory, ExpertPolicy } from "../../runtime/env/types.ts";
import { generatedTasks, invalid, memoryEpisode, type Outcome, parseAction, type Rng } from "./kit.ts";
import { calculate } from "./tools.ts";

interface TutorData {
  problem: string;
  kind: "arithmetic" | "equation";
  /** Each step is "left = right"; in equations both sides may use x. */
  steps: string[];
  /** 1-based index of the first wrong step; 0 when the solution is right. */
  firstWrong: number;
}

const slip = (rng: Rng) => rng.pick([-10, -3, -2, -1, 1, 2, 3, 10]);

function arithmetic(rng: Rng, wrong: number): TutorData {
  const [a, b, c, d] = [rng.int(2, 12), rng.int(2, 20), rng.int(2, 20), rng.int(1, 30)];
  // Each form lists its steps as (left side built from earlier results, how to compute it).
  const forms: Array<{ problem: string; steps: Array<(r: number[]) => string> }> = [
    {
      problem: `${a} * (${b} + ${c}) - ${d}`,
      steps: [() => `${b} + ${c}`, (r) => `${a} * ${r[0]}`, (r) => `${r[1]} - ${d}`],
    },
    {
      problem: `(${a} + ${b}) * (${c} - ${d})`,
      steps: [() => `${a} + ${b}`, () => `${c} - ${d}`, (r) => `${r[0]} * ${r[1]}`],
    },
    {
      problem: `${a} + ${b} * ${c} - ${d}`,
      steps: [() => `${b} * ${c}`, (r) => `${a} + ${r[0]}`, (r) => `${r[1]} - ${d}`],
    },
    {
      problem: `${a} * ${b} - ${c} * ${d}`,
      steps: [() => `${a} * ${b}`, () => `${c} * ${d}`, (r) => `${r[0]} - ${r[1]}`],
    },
  ];
  const form = rng.pick(forms);
  const results: number[] = [];
  const steps = form.steps.map((left, i) => {
    const expression = left(results);
    const value = calculate(expression) + (i + 1 === wrong ? slip(rng) : 0);
    results.push(value);
    return `${expression} = ${value}`;
  });
  return { problem: `Compute ${form.problem}.`, kind: "arithmetic", steps, firstWrong: wrong };
}

function equation(rng: Rng, wrong: number): TutorData {
  const a = rng.int(2, 9);
  // x = 0 would hide a slip in step 3 (0 * a = 0 / a), so it is never the solution.
  const x = rng.pick([-1, 1]) * rng.int(1, 12);
  const b = rng.pick([-1, 1]) * rng.int(1, 30);
  const c = a * x + b;
  const bText = b < 0 ? `- ${-b}` : `+ ${b}`;
  // Step 1 moves b across (a slip here flips its sign); each later step follows from the one before.
  const moved =
    wrong === 1 ? `${c} ${b < 0 ? "-" : "+"} ${Math.abs(b)}` : `${c} ${b < 0 ? "+" : "-"} ${Math.abs(b)}`;
  let right = calculate(moved) + (wrong === 2 ? slip(rng) : 0);
  const steps = [`${a}x = ${moved}`, `${a}x = ${right}`];
  const divided = wrong === 3 ? `${right} * ${a}` : `${right} / ${a}`;
  steps.push(`x = ${divided}`);
  right = calculate(divided) + (wrong === 4 ? slip(rng) : 0);
  steps.push(`x = ${Number(right.toPrecision(10))}`);
  return { problem: `Solve ${a}x ${bText} = ${c}.`, kind: "equation", steps, firstWrong: wrong };
}

function makeTask(rng: Rng): { instruction: string; data: TutorData } {
  const kind = rng.pick(["arithmetic", "equation"] as const);
  const stepCount = kind === "arithmetic" ? 3 : 4;
  const wrong = rng.next() < 0.2 ? 0 : rng.int(1, stepCount);
  const data = kind === "arithmetic" ? arithmetic(rng, wrong) : equation(rng, wrong);
  return {
    instruction:
      "Check the student's solution. Reply with the first wrong step and what is wrong with it, or confirm that every step is correct.",
    data,
  };
}

function renderSolution(data: TutorData): string {
  return [
    `Problem: ${data.problem}`,
    "Student's solution:",
    ...data.steps.map((s, i) => `step ${i + 1}: ${s}`),
  ].join("\n");
}

const ACCEPTED =
  'Use "evaluate: <arithmetic>", "feedback: step <n>: <what is wrong>" or "feedback: all steps are correct".';

function judge(data: TutorData, feedback: string): boolean {
  const step = /step\s*(\d+)/i.exec(feedback);
  if (data.firstWrong === 0) return !step && /correct/i.test(feedback);
  const explanation = feedback.replace(/step\s*\d+\s*[:,-]?/i, "").trim();
  return step !== null && Number(step[1]) === data.firstWrong && explanation.split(/\s+/).length >= 3;
}

function open(task: EnvTask) {
  const data = task.data as TutorData;
  return memoryEpisode(
    () => ({ state: {}, observation: renderSolution(data) }),
    (_state, action): Outcome => {
      const { verb, argument } = parseAction(action);
      if (verb === "evaluate" && argument !== "") {
        try {
          return { observation: `= ${Number(calculate(argument).toPrecision(10))}` };
        } catch (error) {
          return { observation: `cannot evaluate: ${(error as Error).message}` };
        }
      }
      if (verb === "feedback" && argument !== "") {
        const right = judge(data, argument);
        return {
          observation: right ? "Good feedback." : "That feedback is not right.",
          done: true,
          reward: right ? 1 : 0,
          success: right,
        };
      }
      return invalid(action, ACCEPTED);
    },
  );
}

/** Puts a value in for x: "3x" becomes "3 * (5)", a lone "x" becomes "(5)". */
const substitute = (side: string, x: number) =>
  side.replace(/(\d)x/g, `$1 * (${x})`).replace(/\bx\b/g, `(${x})`);

/**
 * The expert checks each step with the calculator, in order. For arithmetic it evaluates the left
 * side and compares it with the right; for an equation it first solves the problem, then checks
 * that the solution satisfies each step (left − right = 0).
 */
function expert(_task: EnvTask): ExpertPolicy {
  let steps: string[] = [];
  let isEquation = false;
  let solution = 0;
  let checking = -1; // the step whose check is pending; -1: solving the equation first
  let started = false;
  const checkStep = (index: number) => {
    checking = index;
    const [left, right] = steps[index].split(" = ");
    if (!isEquation)
      return { thought: `Check step ${index + 1}: evaluate ${left}.`, action: `evaluate: ${left}` };
    return {
      thought: `Does x = ${solution} satisfy step ${index + 1}? Left minus right should be 0.`,
      action: `evaluate: ${substitute(left, solution)} - (${substitute(right, solution)})`,
    };
  };
  return {
    next(observation) {
      if (!started) {
        started = true;
        steps = [...observation.matchAll(/^step \d+: (.*)$/gm)].map((m) => m[1]);
        const problem = /^Problem: (Compute|Solve) (.*)\.$/m.exec(observation)!;
        isEquation = problem[1] === "Solve";
        if (!isEquation) return checkStep(0);
        const [, a, sign, b, c] = /^(\d+)x ([+-]) (\d+) = (-?\d+)$/.exec(problem[2])!;
        return {
          thought: "Solve the equation myself first: x = (c − b) / a.",
          action: `evaluate: (${c} ${sign === "+" ? "-" : "+"} ${b}) / ${a}`,
        };
      }
      const value = Number(observation.replace(/^=\s*/, ""));
      if (isEquation && checking === -1) {
        solution = value;
        return checkStep(0);
      }
      const [left, right] = steps[checking].split(" = ");
      const holds = isEquation ? Math.abs(value) < 1e-9 : Math.abs(value - Number(right)) < 1e-9;
      if (!holds) {
        const why = isEquation
          ? `it does not follow from the previous step: with x = ${solution} its two sides differ by ${value}`
          : `${left} is ${value}, not ${right}`;
        return {
          thought: `Step ${checking + 1} is wrong.`,
          action: `feedback: step ${checking + 1}: ${why}.`,
        };
      }
      if (checking + 1 < steps.length) return checkStep(checking + 1);
      return { thought: "Every step checks out.", action: "feedback: all steps are correct." };
    },
  };
}

export const tutorExampleTask: EnvTask = {
  id: "tutor/example",
  family: "tutor",
  split: "train",
  instruction:
    "Check the student's solution. Reply with the first wrong step and what is wrong with it, or confirm that every step is correct.",
  data: {
    problem: "Compute 4 * (7 + 2) - 5.",
    kind: "arithmetic",
    steps: ["7 + 2 = 9", "4 * 9 = 32", "32 - 5 = 27"],
    firstWrong: 2,
  } satisfies TutorData,
};

const example: ExampleTrajectory = {
  instruction: tutorExampleTask.instruction,
  observation:
    "Problem: Compute 4 * (7 + 2) - 5.\nStudent's solution:\nstep 1: 7 + 2 = 9\nstep 2: 4 * 9 = 32\nstep 3: 32 - 5 = 27",
  steps: [
    { thought: "Check step 1: evaluate 7 + 2.", action: "evaluate: 7 + 2", observation: "= 9" },
    {
      thought: "Step 1 is right. Check step 2: evaluate 4 * 9.",
      action: "evaluate: 4 * 9",
      observation: "= 36",
    },
    {
      thought: "Step 2 is wrong.",
      action: "feedback: step 2: 4 * 9 is 36, not 32.",
      observation: "Good feedback.",
    },
  ],
};

export const tutorEnv: Environment = {
  family: "tutor",
  group: "held-in",
  description:
    "An education tutor: find the first wrong step in a student's arithmetic or linear-equation solution and explain it, or confirm it is correct; a calculator is available.",
  actionSpace:
    "evaluate: <arithmetic>              e.g. evaluate: 4 * (7 + 2)\n" +
    "feedback: step <n>: <explanation>   the first wrong step and what is wrong (ends the episode)\n" +
    "feedback: all steps are correct     when there is no mistake (ends the episode)",
  maxTurns: 10,
  tasks: generatedTasks("tutor", makeTask),
  open: async (task) => open(task),
  example,
  expert,
};
