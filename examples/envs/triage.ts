/**
 * Clinical decision support — SYNTHETIC. An invented five-level triage protocol applied to invented
 * patients: the agent reads the protocol, measures vital signs, and assigns a level. The protocol,
 * thresholds and patients are made up for training agents; they are NOT medical advice and must
 * not be used for real patients.
 *
 * Try it: atune env play ./examples/envs/triage.ts#triageEnv
 */
import type { Environment, EnvTask, ExampleTrajectory, ExpertPolicy } from "../../runtime/env/types.ts";
import { generatedTasks, invalid, memoryEpisode, type Outcome, parseAction, type Rng } from "./kit.ts";

export const DISCLAIMER = "SYNTHETIC training scenario with an invented protocol — not medical advice.";

export const PROTOCOL = [
  `Synthetic triage protocol STP-5 (${DISCLAIMER}) Assign the first level whose condition holds:`,
  "Level 1: not responsive, or oxygen saturation below 85%, or respiratory rate below 8 or above 35.",
  "Level 2: oxygen saturation 85-91%, or heart rate above 130, or systolic blood pressure below 90, or chest pain at age 50 or older.",
  "Level 3: two or more expected resources.",
  "Level 4: exactly one expected resource.",
  "Level 5: no expected resources.",
].join("\n");

interface Vitals {
  responsive: boolean;
  spo2: number;
  respiratoryRate: number;
  heartRate: number;
  systolic: number;
  diastolic: number;
}

interface TriageData {
  age: number;
  complaint: string;
  chestPain: boolean;
  resources: string[];
  vitals: Vitals;
}

/** The synthetic protocol as code (the judge's reference). */
export function triageLevel(p: {
  age: number;
  chestPain: boolean;
  resources: number;
  vitals: Vitals;
}): number {
  const v = p.vitals;
  if (!v.responsive || v.spo2 < 85 || v.respiratoryRate < 8 || v.respiratoryRate > 35) return 1;
  if (v.spo2 <= 91 || v.heartRate > 130 || v.systolic < 90 || (p.chestPain && p.age >= 50)) return 2;
  if (p.resources >= 2) return 3;
  return p.resources === 1 ? 4 : 5;
}

const complaints = [
  "ankle pain after a fall",
  "fever and cough",
  "chest pain",
  "headache",
  "abdominal pain",
  "a cut on the hand",
  "shortness of breath",
  "dizziness",
];
const resourcePool = ["lab tests", "x-ray", "IV fluids", "CT scan", "sutures", "IV medication"];

function makeTask(rng: Rng): { instruction: string; data: TriageData } {
  const complaint = rng.pick(complaints);
  const abnormal = () => rng.next() < 0.12;
  const vitals: Vitals = {
    responsive: rng.next() > 0.04,
    spo2: abnormal() ? rng.int(78, 91) : rng.int(92, 100),
    respiratoryRate: abnormal() ? rng.pick([rng.int(4, 7), rng.int(36, 44)]) : rng.int(10, 24),
    heartRate: abnormal() ? rng.int(131, 170) : rng.int(55, 125),
    systolic: abnormal() ? rng.int(70, 89) : rng.int(95, 160),
    diastolic: rng.int(55, 95),
  };
  return {
    instruction: `${DISCLAIMER} Triage the patient with the synthetic protocol STP-5 and assign a level from 1 to 5.`,
    data: {
      age: rng.int(18, 90),
      complaint,
      chestPain: complaint === "chest pain",
      resources: rng.sample(resourcePool, rng.pick([0, 1, 1, 2, 2, 3])),
      vitals,
    },
  };
}

const measurements: Record<string, (v: Vitals) => string> = {
  consciousness: (v) => (v.responsive ? "responsive" : "not responsive"),
  "oxygen saturation": (v) => `${v.spo2}%`,
  "respiratory rate": (v) => `${v.respiratoryRate} breaths/min`,
  "heart rate": (v) => `${v.heartRate} beats/min`,
  "blood pressure": (v) => `${v.systolic}/${v.diastolic} mmHg`,
};

function intake(data: TriageData): string {
  const resources = data.resources.length > 0 ? data.resources.join(", ") : "none";
  return `${DISCLAIMER}\nPatient, age ${data.age}, presents with ${data.complaint}.\nExpected resources: ${resources}.\nVital signs are not yet measured.`;
}

const ACCEPTED = `Use "read protocol", "measure: <${Object.keys(measurements).join(" | ")}>" or "triage: level <1-5>".`;

function open(task: EnvTask) {
  const data = task.data as TriageData;
  const expected = triageLevel({ ...data, resources: data.resources.length });
  return memoryEpisode(
    () => ({ state: {}, observation: intake(data) }),
    (_state, action): Outcome => {
      const { verb, argument } = parseAction(action);
      if (`${verb} ${argument}`.trim() === "read protocol") return { observation: PROTOCOL };
      if (verb === "measure") {
        const measure = measurements[argument.toLowerCase()];
        if (!measure) return invalid(action, `Measurable: ${Object.keys(measurements).join(", ")}.`);
        return { observation: `${argument.toLowerCase()}: ${measure(data.vitals)}` };
      }
      const level = /^level\s*([1-5])$/i.exec(argument);
      if (verb === "triage" && level) {
        const right = Number(level[1]) === expected;
        return {
          observation: `${right ? "Level recorded: matches STP-5." : `Level recorded: STP-5 gives a different level.`} (${DISCLAIMER})`,
          done: true,
          reward: right ? 1 : 0,
          success: right,
        };
      }
      return invalid(action, ACCEPTED);
    },
    () => [
      "read protocol",
      ...Object.keys(measurements).map((name) => `measure: ${name}`),
      ...[1, 2, 3, 4, 5].map((level) => `triage: level ${level}`),
    ],
  );
}

/** The expert reads the protocol, measures every vital sign, then applies the protocol to what it read. */
function expert(_task: EnvTask): ExpertPolicy {
  const order = ["consciousness", "oxygen saturation", "respiratory rate", "heart rate", "blood pressure"];
  const readings: Record<string, string> = {};
  let age = 0;
  let chestPain = false;
  let resources = 0;
  let step = 0;
  return {
    next(observation) {
      step++;
      if (step === 1) {
        age = Number(/age (\d+)/.exec(observation)?.[1]);
        chestPain = /presents with chest pain/.test(observation);
        const listed = /Expected resources: (.*)\./.exec(observation)?.[1] ?? "none";
        resources = listed === "none" ? 0 : listed.split(", ").length;
        return {
          thought: `Age ${age}, ${resources} expected resource(s). Read the protocol first.`,
          action: "read protocol",
        };
      }
      const reading = /^([a-z ]+): (.*)$/.exec(observation);
      if (reading && reading[1] in measurements) readings[reading[1]] = reading[2];
      const missing = order.find((name) => !(name in readings));
      if (missing)
        return {
          thought: `Level 1 and 2 depend on vital signs; measure ${missing}.`,
          action: `measure: ${missing}`,
        };
      const [systolic, diastolic] = readings["blood pressure"].split(/[/ ]/).map(Number);
      const level = triageLevel({
        age,
        chestPain,
        resources,
        vitals: {
          responsive: readings.consciousness === "responsive",
          spo2: Number.parseInt(readings["oxygen saturation"], 10),
          respiratoryRate: Number.parseInt(readings["respiratory rate"], 10),
          heartRate: Number.parseInt(readings["heart rate"], 10),
          systolic,
          diastolic,
        },
      });
      return {
        thought: `Going down STP-5 with these readings, the first level that holds is ${level}.`,
        action: `triage: level ${level}`,
      };
    },
  };
}

export const triageExampleTask: EnvTask = {
  id: "triage/example",
  family: "triage",
  split: "train",
  instruction: `${DISCLAIMER} Triage the patient with the synthetic protocol STP-5 and assign a level from 1 to 5.`,
  data: {
    age: 34,
    complaint: "ankle pain after a fall",
    chestPain: false,
    resources: ["x-ray"],
    vitals: { responsive: true, spo2: 98, respiratoryRate: 16, heartRate: 88, systolic: 124, diastolic: 80 },
  } satisfies TriageData,
};

const exampleData = triageExampleTask.data as TriageData;
const example: ExampleTrajectory = {
  instruction: triageExampleTask.instruction,
  observation: intake(exampleData),
  steps: [
    {
      thought: "Age 34, 1 expected resource(s). Read the protocol first.",
      action: "read protocol",
      observation: PROTOCOL,
    },
    ...["consciousness", "oxygen saturation", "respiratory rate", "heart rate", "blood pressure"].map(
      (name) => ({
        thought: `Level 1 and 2 depend on vital signs; measure ${name}.`,
        action: `measure: ${name}`,
        observation: `${name}: ${measurements[name](exampleData.vitals)}`,
      }),
    ),
    {
      thought: "Going down STP-5 with these readings, the first level that holds is 4.",
      action: "triage: level 4",
      observation: `Level recorded: matches STP-5. (${DISCLAIMER})`,
    },
  ],
};

export const triageEnv: Environment = {
  family: "triage",
  group: "held-in",
  description: `Clinical decision support, SYNTHETIC: ${DISCLAIMER} The agent reads an invented five-level triage protocol, measures an invented patient's vital signs and assigns a level.`,
  actionSpace:
    "read protocol | measure: <consciousness | oxygen saturation | respiratory rate | heart rate | blood pressure> | triage: level <1-5>",
  maxTurns: 10,
  tasks: generatedTasks("triage", makeTask),
  open: async (task) => open(task),
  example,
  expert,
};
