/**
 * The report's data: what the Markdown and the HTML page show, assembled from the outputs of the
 * eval stages a report stage reads. Rendering modules take a ReportData and never touch files.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Speaker } from "../data/record.ts";
import { type GroupScore, normalisedScores } from "../eval/scores.ts";
import type { StageOutput } from "../executor/executor.ts";
import type { CollectedEpisode } from "../stages/collect.ts";
import type { EvalConfig, FamilyResult } from "../stages/eval-stage.ts";

export type ParamValue = number | string;

export interface ReportConfig {
  title: string;
  /** The eval stages to report on (inputs of the report stage), each tagged with its sweep branch's params. */
  evals: Array<{ stage: string; params?: Record<string, ParamValue> }>;
  /** The swept param (e.g. "eta"): every eval must carry a value for it. */
  sweep?: string;
}

/** One compared model: a model of one eval stage, named by `label` everywhere in the report. */
export interface ReportRow {
  label: string;
  model: string;
  eval: string;
  params: Record<string, ParamValue>;
  families: FamilyResult[];
  /**
   * Group scores, normalised over every row of the report (the paper's overall score: each task's
   * score divided by the mean over all compared models). With one eval stage they equal its own.
   */
  groups: GroupScore[];
}

export interface EpisodeTurn {
  from: Speaker;
  value: string;
  loss: boolean | null;
  /** Characters cut from a very long turn (0: shown whole). */
  cut: number;
}

export interface EpisodeView {
  id: string;
  row: string;
  family: string;
  group: string;
  success: boolean;
  reward: number;
  finishReason: string;
  agentTurns: number;
  /** Index into ReportData.prompts: the shared prompt (instructions, k-shot example) of its task set. */
  prompt: number;
  turns: EpisodeTurn[];
}

export interface EpisodeSample {
  row: string;
  family: string;
  total: number;
  shown: number;
}

export interface ReportData {
  title: string;
  sweep?: string;
  rows: ReportRow[];
  /** Group names in display order (held_in, held_out, general, then any others). */
  groups: string[];
  /** Family names in display order (by group, then as the evals list them). */
  families: Array<{ family: string; group: string }>;
  episodes: EpisodeView[];
  prompts: EpisodeTurn[][];
  samples: EpisodeSample[];
  episodeCap: number;
  turnCharCap: number;
}

export const EPISODE_CAP = 200;
export const TURN_CHAR_CAP = 4000;

const groupOrder = ["held_in", "held_out", "general"];

/** "held_in" → "held-in": how groups are named to readers. */
export function groupLabel(group: string): string {
  return group.replace(/_/g, "-");
}

/** The eval stage's summary, as its handler returns it. */
interface EvalSummary {
  families: FamilyResult[];
  groups: GroupScore[];
}

/** A report configuration or its inputs do not fit: says what and how to fix it. */
export class ReportError extends Error {}

export function buildReportData(
  stageId: string,
  config: ReportConfig,
  inputs: Record<string, StageOutput>,
  caps: { episodes?: number; turnChars?: number } = {},
): ReportData {
  const episodeCap = caps.episodes ?? EPISODE_CAP;
  const turnCharCap = caps.turnChars ?? TURN_CHAR_CAP;
  if (config.evals.length === 0) {
    throw new ReportError(`report stage ${stageId}: 'evals' is empty; name at least one eval stage`);
  }
  const named = config.evals.map((entry) => ({ ...entry, output: evalOutput(stageId, entry.stage, inputs) }));
  if (config.sweep !== undefined) {
    for (const entry of config.evals) {
      if (entry.params?.[config.sweep] === undefined) {
        throw new ReportError(
          `report stage ${stageId}: eval stage ${entry.stage} has no value for the swept param '${config.sweep}'; ` +
            `tag it with params { ${config.sweep}: … } or drop 'sweep'`,
        );
      }
    }
  }

  const rows: ReportRow[] = [];
  const modelNames = named.flatMap((entry) => [
    ...new Set(entry.output.summary.families.map((f) => f.model)),
  ]);
  for (const entry of named) {
    const params = entry.params ?? {};
    for (const model of [...new Set(entry.output.summary.families.map((f) => f.model))]) {
      rows.push({
        label: rowLabel(model, entry.stage, params, modelNames.filter((name) => name === model).length > 1),
        model,
        eval: entry.stage,
        params,
        families: entry.output.summary.families.filter((f) => f.model === model),
        groups: [],
      });
    }
  }
  const scores = rows.flatMap((row) =>
    // A task is a family within a group, so one family evaluated as held-in and held-out stays two tasks.
    row.families.map((f) => ({
      model: row.label,
      task: `${f.group}/${f.family}`,
      group: f.group,
      score: f.meanReward,
    })),
  );
  const normalised = normalisedScores(scores);
  for (const row of rows) row.groups = normalised.filter((g) => g.model === row.label);

  const allFamilies = rows.flatMap((row) => row.families);
  const groups = [...new Set(allFamilies.map((f) => f.group))].sort(
    (a, b) => rank(groupOrder, a) - rank(groupOrder, b),
  );
  const families: ReportData["families"] = [];
  for (const group of groups) {
    for (const f of allFamilies) {
      if (f.group === group && !families.some((seen) => seen.family === f.family && seen.group === group)) {
        families.push({ family: f.family, group });
      }
    }
  }

  const episodes: EpisodeView[] = [];
  const prompts: EpisodeTurn[][] = [];
  const promptIndex = new Map<string, number>();
  const samples: EpisodeSample[] = [];
  for (const entry of named) {
    const config = entry.output.config as unknown as EvalConfig;
    const results = entry.output.summary.families;
    // Per model: one result per task set, then one per general question set (which has no episodes).
    const perModel = config.sets.length + (config.general?.length ?? 0);
    if (results.length !== config.models.length * perModel) {
      throw new ReportError(
        `report stage ${stageId}: eval stage ${entry.stage} lists ${results.length} results for ` +
          `${config.models.length} models × ${perModel} task and question sets; rerun it with --force ${entry.stage}`,
      );
    }
    config.models.forEach((model, m) => {
      config.sets.forEach((set, s) => {
        const result = results[m * perModel + s];
        const row = rows.find((r) => r.eval === entry.stage && r.model === model.name)!;
        const logFile = join(
          entry.output.dir,
          `episodes-${model.name}-${set.stage}.jsonl`.replace(/[^\w.-]/g, "_"),
        );
        const all = readEpisodeLog(stageId, entry.stage, logFile);
        const chosen = spreadSample(all, episodeCap);
        samples.push({ row: row.label, family: result.family, total: all.length, shown: chosen.length });
        for (const episode of chosen) {
          const promptTurns = episode.record.meta?.promptTurns ?? 0;
          const conversation = episode.record.conversations.map((turn) => capTurn(turn, turnCharCap));
          const promptKey = JSON.stringify(conversation.slice(0, promptTurns));
          if (!promptIndex.has(promptKey)) {
            promptIndex.set(promptKey, prompts.length);
            prompts.push(conversation.slice(0, promptTurns));
          }
          episodes.push({
            id: episode.record.id,
            row: row.label,
            family: result.family,
            group: result.group,
            success: episode.success,
            reward: episode.reward,
            finishReason: episode.finishReason,
            agentTurns: episode.turns,
            prompt: promptIndex.get(promptKey)!,
            turns: conversation.slice(promptTurns),
          });
        }
      });
    });
  }
  return {
    title: config.title,
    sweep: config.sweep,
    rows,
    groups,
    families,
    episodes,
    prompts,
    samples,
    episodeCap,
    turnCharCap,
  };
}

function evalOutput(stageId: string, evalStage: string, inputs: Record<string, StageOutput>) {
  const output = inputs[evalStage];
  if (!output) {
    throw new ReportError(
      `report stage ${stageId}: eval stage ${evalStage} is not an input of this stage; ` +
        `inputs are ${Object.keys(inputs).join(", ") || "none"}`,
    );
  }
  const summary = output.summary as Partial<EvalSummary>;
  if (!Array.isArray(summary.families) || !Array.isArray(summary.groups)) {
    throw new ReportError(
      `report stage ${stageId}: ${evalStage} is not an eval stage (its summary has no families and groups); ` +
        `name only eval stages in 'evals'`,
    );
  }
  return { ...output, summary: summary as EvalSummary };
}

function rowLabel(model: string, evalStage: string, params: Record<string, ParamValue>, ambiguous: boolean) {
  const tags = Object.entries(params).map(([name, value]) => `${name}=${value}`);
  if (tags.length > 0) return `${model} (${tags.join(", ")})`;
  return ambiguous ? `${model} [${evalStage}]` : model;
}

function rank(order: string[], value: string): number {
  const index = order.indexOf(value);
  return index === -1 ? order.length : index;
}

function readEpisodeLog(stageId: string, evalStage: string, file: string): CollectedEpisode[] {
  if (!existsSync(file)) {
    throw new ReportError(
      `report stage ${stageId}: the episode log ${file} of eval stage ${evalStage} is missing; ` +
        `rerun it with --force ${evalStage}`,
    );
  }
  const episodes: CollectedEpisode[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((text, index) => {
      if (text.trim() === "") return;
      try {
        episodes.push(JSON.parse(text) as CollectedEpisode);
      } catch (error) {
        throw new ReportError(
          `report stage ${stageId}: ${file}:${index + 1} is not valid JSON (${(error as Error).message}); ` +
            `rerun eval stage ${evalStage} with --force ${evalStage}`,
        );
      }
    });
  return episodes;
}

/** At most `cap` items spread evenly over the list (deterministic, keeps task order). */
export function spreadSample<T>(items: T[], cap: number): T[] {
  if (items.length <= cap) return items;
  return Array.from({ length: cap }, (_, i) => items[Math.floor((i * items.length) / cap)]);
}

function capTurn(turn: { from: Speaker; value: string; loss: boolean | null }, cap: number): EpisodeTurn {
  const value = String(turn.value);
  const cut = Math.max(0, value.length - cap);
  return { from: turn.from, value: cut > 0 ? value.slice(0, cap) : value, loss: turn.loss ?? null, cut };
}

/** Whether a turn is trained on: its loss flag, or the role default (gpt turns) when it is null. */
export function isTrained(turn: { from: Speaker; loss: boolean | null }): boolean {
  return turn.loss ?? turn.from === "gpt";
}
