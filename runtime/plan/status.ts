import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isCached, type RunManifest } from "../executor/executor.ts";
import { canonicalJson } from "./key.ts";
import type { Plan } from "./types.ts";

export type StageMark = "+" | "=" | "~";

export interface StageStatusLine {
  id: string;
  kind: string;
  mark: StageMark;
  /** For "~": the configuration fields that differ from the last run, as dotted paths. */
  changed: string[];
  /** For "~" with no changed field: the stage's inputs or files changed. */
  upstream: boolean;
}

/** The most recent run of the same recipe under root, if any. */
export function lastManifest(root: string, recipeFile: string): RunManifest | undefined {
  const runs = join(root, "runs");
  if (!existsSync(runs)) return undefined;
  const manifests = readdirSync(runs)
    .sort()
    .reverse()
    .map((id) => join(runs, id, "manifest.json"))
    .filter(existsSync)
    .map((file) => JSON.parse(readFileSync(file, "utf8")) as RunManifest);
  return manifests.find((m) => m.recipe.file === recipeFile);
}

/** Dotted paths where two JSON values differ. */
export function changedFields(before: unknown, after: unknown, path = ""): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => changedFields(before[key], after[key], path ? `${path}.${key}` : key));
  }
  return canonicalJson(before ?? null) === canonicalJson(after ?? null) ? [] : [path || "(value)"];
}

/**
 * What `atune plan` shows: `=` cached, `+` will run, `~` will run because it changed since the
 * last run of this recipe (with the changed fields).
 */
export function planStatus(plan: Plan, root: string): StageStatusLine[] {
  const previous = lastManifest(root, plan.recipe.file);
  return plan.stages.map((stage) => {
    const line: StageStatusLine = { id: stage.id, kind: stage.kind, mark: "+", changed: [], upstream: false };
    if (isCached(root, stage.key)) {
      line.mark = "=";
      return line;
    }
    const before = previous?.stages.find((s) => s.id === stage.id);
    if (before && before.key !== stage.key) {
      line.mark = "~";
      line.changed = changedFields(before.config, stage.config);
      line.upstream = line.changed.length === 0;
    }
    return line;
  });
}

export function renderPlanStatus(lines: StageStatusLine[]): string {
  const width = Math.max(...lines.map((l) => l.id.length));
  const out = lines.map((l) => {
    const why =
      l.mark === "~" ? (l.upstream ? "  (inputs changed)" : `  (changed: ${l.changed.join(", ")})`) : "";
    return `${l.mark} ${l.id.padEnd(width)}  ${l.kind}${why}`;
  });
  const count = (mark: StageMark) => lines.filter((l) => l.mark === mark).length;
  out.push(
    "",
    `${lines.length} stages: ${count("+") + count("~")} to run (${count("~")} changed), ${count("=")} cached`,
  );
  return out.join("\n");
}
