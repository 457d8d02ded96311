import { createHash } from "node:crypto";
import type { FileInput, PlanStage, StageKind } from "./types.ts";

/**
 * JSON with object keys sorted at every depth, so equal values always hash equally.
 * Non-finite numbers and undefined have no JSON form: they are errors, not silently dropped.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new Error(`cannot hash the non-finite number ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  throw new Error(`cannot hash a value of type ${typeof value}`);
}

export function sha256(text: string | Uint8Array): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The content key of a stage: its own content plus the keys of its inputs, never any path or
 * name. A configuration names its inputs by stage id ("mix.tuning"), as a value or as a record
 * key; in the key each such id stands as its input's key, so the same work under other
 * declaration names (a sweep branch and the recipe it mirrors, a renamed dataset with the same
 * seed) has the same key and is reused.
 */
export function stageKey(stage: {
  kind: StageKind;
  config: Record<string, unknown>;
  inputs: string[];
  inputKeys: string[];
  files: FileInput[];
  atuneVersion: string;
}): string {
  const keyOf = new Map(stage.inputs.map((id, i) => [id, stage.inputKeys[i]]));
  return sha256(
    canonicalJson({
      kind: stage.kind,
      config: withInputKeys(stage.config, keyOf),
      inputs: stage.inputKeys,
      files: stage.files.map((f) => f.sha256),
      atune: stage.atuneVersion,
    }),
  );
}

function withInputKeys(value: unknown, keyOf: ReadonlyMap<string, string>): unknown {
  if (typeof value === "string") return keyOf.has(value) ? `input:${keyOf.get(value)}` : value;
  if (Array.isArray(value)) return value.map((v) => withInputKeys(v, keyOf));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      // A mix's weights are keyed by input id.
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        withInputKeys(k, keyOf),
        withInputKeys(v, keyOf),
      ]),
    );
  }
  return value;
}

/** Checks a plan's stage order and keys; returns the problems found (empty when sound). */
export function planProblems(stages: PlanStage[], atuneVersion: string): string[] {
  const problems: string[] = [];
  const keys = new Map<string, string>();
  for (const stage of stages) {
    if (keys.has(stage.id)) problems.push(`stage ${stage.id} appears twice`);
    const missing = stage.inputs.filter((id) => !keys.has(id));
    for (const id of missing) problems.push(`stage ${stage.id} reads ${id}, which does not come before it`);
    const expected = stageKey({
      kind: stage.kind,
      config: stage.config,
      inputs: stage.inputs,
      inputKeys: stage.inputs.map((id) => keys.get(id) ?? ""),
      files: stage.files,
      atuneVersion,
    });
    if (missing.length === 0 && expected !== stage.key) {
      problems.push(
        `stage ${stage.id} has key ${stage.key.slice(0, 12)}… but its content hashes to ${expected.slice(0, 12)}…`,
      );
    }
    keys.set(stage.id, stage.key);
  }
  return problems;
}
