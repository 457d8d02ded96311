/**
 * A business workflow: approving expense claims under a written policy. The agent reads the
 * policy, looks at the claim and the department's budget, and decides approve, reject or escalate
 * with the reason code of the rule that decides it (the first rule that applies, in policy order).
 *
 * Try it: atune env play ./examples/envs/expense.ts#expenseEnv
 */
import type { Environment, EnvTask, ExampleTrajectory, ExpertPolicy } from "../../runtime/env/types.ts";
import { generatedTasks, invalid, memoryEpisode, type Outcome, parseAction, type Rng } from "./kit.ts";

export const POLICY = [
  "Expense policy (apply the rules in this order; the first rule that applies decides):",
  "R1 alcohol: alcohol is never reimbursed -> reject, reason alcohol.",
  "R2 missing-receipt: a claim over $75 without a receipt -> reject, reason missing-receipt.",
  "R3 late: a claim submitted more than 60 days after the expense date -> reject, reason late.",
  "R4 meal-limit: meals are capped at $60 per person; a meal claim above 60 x attendees -> reject, reason meal-limit.",
  "R5 needs-finance: a claim over $1000 -> escalate, reason needs-finance.",
  "R6 over-budget: a claim larger than the department's remaining budget -> escalate, reason over-budget.",
  "R7 ok: otherwise -> approve, reason ok.",
].join("\n");

interface Claim {
  id: string;
  employee: string;
  department: string;
  category: "meal" | "travel" | "equipment" | "training";
  amount: number;
  attendees: number;
  receipt: boolean;
  alcohol: boolean;
  daysSinceExpense: number;
}

interface ExpenseData {
  claim: Claim;
  remainingBudget: number;
}

type Decision = { decision: "approve" | "reject" | "escalate"; reason: string };

/** Every decision the policy can lead to, in rule order. */
const reasonCodes: Decision[] = [
  { decision: "reject", reason: "alcohol" },
  { decision: "reject", reason: "missing-receipt" },
  { decision: "reject", reason: "late" },
  { decision: "reject", reason: "meal-limit" },
  { decision: "escalate", reason: "needs-finance" },
  { decision: "escalate", reason: "over-budget" },
  { decision: "approve", reason: "ok" },
];

/** The policy as code: the judge's reference. The expert applies the same rules to what it reads. */
export function decide(claim: Claim, remainingBudget: number): Decision {
  if (claim.alcohol) return { decision: "reject", reason: "alcohol" };
  if (claim.amount > 75 && !claim.receipt) return { decision: "reject", reason: "missing-receipt" };
  if (claim.daysSinceExpense > 60) return { decision: "reject", reason: "late" };
  if (claim.category === "meal" && claim.amount > 60 * claim.attendees)
    return { decision: "reject", reason: "meal-limit" };
  if (claim.amount > 1000) return { decision: "escalate", reason: "needs-finance" };
  if (claim.amount > remainingBudget) return { decision: "escalate", reason: "over-budget" };
  return { decision: "approve", reason: "ok" };
}

const employees = ["Ana", "Bruno", "Chen", "Dara", "Elif", "Femi", "Goran", "Hiro", "Isla", "Jonas"];
const departments = ["Marketing", "Engineering", "Sales", "Support"];

function makeTask(rng: Rng): { instruction: string; data: ExpenseData } {
  const category = rng.pick(["meal", "travel", "equipment", "training"] as const);
  // Amounts cluster around the policy's thresholds so every rule gets exercised.
  const amount =
    rng.pick([rng.int(10, 75), rng.int(76, 400), rng.int(401, 1000), rng.int(1001, 3000)]) +
    rng.pick([0, 0.5, 0.99]);
  const claim: Claim = {
    id: `EX-${rng.int(1000, 9999)}`,
    employee: rng.pick(employees),
    department: rng.pick(departments),
    category,
    amount,
    attendees: category === "meal" ? rng.int(1, 8) : 1,
    receipt: rng.next() < 0.8,
    alcohol: category === "meal" && rng.next() < 0.15,
    daysSinceExpense: rng.pick([rng.int(1, 60), rng.int(1, 60), rng.int(61, 120)]),
  };
  const remainingBudget = rng.pick([rng.int(50, 800), rng.int(800, 5000)]);
  return {
    instruction: `Review expense claim ${claim.id} under the company's expense policy and decide: approve, reject or escalate, with the reason code.`,
    data: { claim, remainingBudget },
  };
}

function claimText(claim: Claim): string {
  return [
    `claim ${claim.id}`,
    `employee: ${claim.employee}`,
    `department: ${claim.department}`,
    `category: ${claim.category}`,
    `amount: $${claim.amount.toFixed(2)}`,
    `attendees: ${claim.attendees}`,
    `receipt attached: ${claim.receipt ? "yes" : "no"}`,
    `items include alcohol: ${claim.alcohol ? "yes" : "no"}`,
    `days between expense and submission: ${claim.daysSinceExpense}`,
  ].join("\n");
}

const ACCEPTED =
  'Use "read policy", "view claim", "check budget", or "decide: <approve|reject|escalate> <reason code>".';

function open(task: EnvTask) {
  const data = task.data as ExpenseData;
  return memoryEpisode(
    () => ({ state: {}, observation: `Claim ${data.claim.id} is waiting for your review.` }),
    (_state, action): Outcome => {
      const { verb, argument } = parseAction(action);
      const command = `${verb} ${argument}`.trim().toLowerCase();
      if (command === "read policy") return { observation: POLICY };
      if (command === "view claim") return { observation: claimText(data.claim) };
      if (command === "check budget") {
        return {
          observation: `${data.claim.department} remaining budget: $${data.remainingBudget.toFixed(2)}`,
        };
      }
      if (verb === "decide") {
        const match = /^(approve|reject|escalate)\s*[,:]?\s*(?:reason\s*[:=]?\s*)?([a-z-]+)?$/i.exec(
          argument,
        );
        if (!match)
          return invalid(
            action,
            'Write the decision and a reason code, e.g. "decide: reject missing-receipt".',
          );
        const expected = decide(data.claim, data.remainingBudget);
        const right =
          match[1].toLowerCase() === expected.decision && (match[2] ?? "").toLowerCase() === expected.reason;
        return {
          observation: right
            ? "Decision recorded: correct."
            : "Decision recorded: it does not follow the policy.",
          done: true,
          reward: right ? 1 : 0,
          success: right,
        };
      }
      return invalid(action, ACCEPTED);
    },
    () => [
      "read policy",
      "view claim",
      "check budget",
      ...reasonCodes.map(({ decision, reason }) => `decide: ${decision} ${reason}`),
    ],
  );
}

/** Reads "key: value" lines of an observation. */
function fields(observation: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of observation.split("\n")) {
    const index = line.indexOf(": ");
    if (index > 0) out[line.slice(0, index)] = line.slice(index + 2);
  }
  return out;
}

function expert(_task: EnvTask): ExpertPolicy {
  let claim: Claim | undefined;
  let step = 0;
  return {
    next(observation) {
      step++;
      if (step === 1)
        return {
          thought: "Start with the policy, so I apply the rules in the right order.",
          action: "read policy",
        };
      if (step === 2) return { thought: "Now the claim itself.", action: "view claim" };
      if (step === 3) {
        const f = fields(observation);
        const money = (text: string) => Number(text.replace(/[$,]/g, ""));
        claim = {
          id: "",
          employee: f.employee,
          department: f.department,
          category: f.category as Claim["category"],
          amount: money(f.amount),
          attendees: Number(f.attendees),
          receipt: f["receipt attached"] === "yes",
          alcohol: f["items include alcohol"] === "yes",
          daysSinceExpense: Number(f["days between expense and submission"]),
        };
        return {
          thought: "R6 compares the amount with the department's remaining budget; check it.",
          action: "check budget",
        };
      }
      const budget = Number(observation.replace(/^.*\$/s, "").replace(/,/g, ""));
      const verdict = decide(claim!, budget);
      return {
        thought: `Going through R1–R7 in order for $${claim!.amount.toFixed(2)} (${claim!.category}), the first rule that applies is ${verdict.reason}.`,
        action: `decide: ${verdict.decision} ${verdict.reason}`,
      };
    },
  };
}

const example: ExampleTrajectory = {
  instruction:
    "Review expense claim EX-1234 under the company's expense policy and decide: approve, reject or escalate, with the reason code.",
  observation: "Claim EX-1234 is waiting for your review.",
  steps: [
    {
      thought: "Start with the policy, so I apply the rules in the right order.",
      action: "read policy",
      observation: POLICY,
    },
    {
      thought: "Now the claim itself.",
      action: "view claim",
      observation:
        "claim EX-1234\nemployee: Ana\ndepartment: Sales\ncategory: meal\namount: $150.00\nattendees: 2\nreceipt attached: yes\nitems include alcohol: no\ndays between expense and submission: 12",
    },
    {
      thought: "R6 compares the amount with the department's remaining budget; check it.",
      action: "check budget",
      observation: "Sales remaining budget: $900.00",
    },
    {
      thought:
        "No alcohol, a receipt, on time; a meal for 2 is capped at $120 and $150 is above it, so R4 decides.",
      action: "decide: reject meal-limit",
      observation: "Decision recorded: correct.",
    },
  ],
};

/** The example's claim, so a test can replay the example. */
export const expenseExampleTask: EnvTask = {
  id: "expense/example",
  family: "expense",
  split: "train",
  instruction: example.instruction,
  data: {
    claim: {
      id: "EX-1234",
      employee: "Ana",
      department: "Sales",
      category: "meal",
      amount: 150,
      attendees: 2,
      receipt: true,
      alcohol: false,
      daysSinceExpense: 12,
    },
    remainingBudget: 900,
  } satisfies ExpenseData,
};

export const expenseEnv: Environment = {
  family: "expense",
  group: "held-in",
  description:
    "A business workflow: expense-claim approval under a written seven-rule policy. The agent reads the policy, the claim and the budget, then approves, rejects or escalates with the deciding rule's reason code.",
  actionSpace:
    'read policy | view claim | check budget | decide: <approve|reject|escalate> <reason code>   e.g. "decide: reject late"',
  maxTurns: 8,
  tasks: generatedTasks("expense", makeTask),
  open: async (task) => open(task),
  example,
  expert,
};
