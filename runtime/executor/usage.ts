/**
 * Token counts in the run manifest. A stage that calls generators reports what they used as
 * `usage: { promptTokens, completionTokens }` in its summary; a stage whose only generator is the
 * built-in expert used none. Cost is in US dollars: an `openai` generator's tokens at the recipe's
 * `prompt_price` / `completion_price` (per million), local generators free; without prices for
 * some endpoint's tokens the run's cost is "unpriced".
 */

export interface TokenUsage {
  promptTokens: number;
  completionTokens: number;
  /** US dollars, when every generator behind these tokens has a price (local ones cost 0). */
  costUsd?: number;
}

export interface RunTokens extends TokenUsage {
  totalTokens: number;
  /** What the stages that ran in this run used (cached stages cost nothing again). */
  spentThisRun: TokenUsage;
  /** Generator stages whose handler reports no token counts: the totals leave them out. */
  unreported: string[];
  /** US dollars over every stage, or "unpriced" when some tokens came from an endpoint without prices. */
  cost: number | "unpriced";
}

const isCount = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value >= 0;

function reportedUsage(summary: Record<string, unknown> | undefined): TokenUsage | undefined {
  const usage = summary?.usage as Partial<TokenUsage> | undefined;
  if (!usage || !isCount(usage.promptTokens) || !isCount(usage.completionTokens)) return undefined;
  return {
    promptTokens: usage.promptTokens!,
    completionTokens: usage.completionTokens!,
    ...(isCount(usage.costUsd) ? { costUsd: usage.costUsd } : {}),
  };
}

/** The cost of some tokens: their price if known; 0 when there are none; else unknown. */
export function costOf(usage: TokenUsage): number | undefined {
  if (usage.costUsd !== undefined) return usage.costUsd;
  return usage.promptTokens + usage.completionTokens === 0 ? 0 : undefined;
}

/** The generator configurations a stage uses: `generator`, `verifier`, and each evaluated model's. */
function generatorTypes(config: Record<string, unknown>): string[] {
  const found: unknown[] = [config.generator, config.verifier];
  if (Array.isArray(config.models))
    found.push(...config.models.map((m) => (m as { generator?: unknown })?.generator));
  return found
    .map((g) => (g && typeof g === "object" ? (g as { type?: unknown }).type : undefined))
    .filter((type): type is string => typeof type === "string");
}

/**
 * A stage's tokens: what its summary reports; zero when the expert is its only generator;
 * "unreported" for other generator stages; undefined for stages that call no generator.
 */
export function stageTokens(
  config: Record<string, unknown>,
  summary: Record<string, unknown> | undefined,
): TokenUsage | "unreported" | undefined {
  const reported = reportedUsage(summary);
  if (reported) return reported;
  const types = generatorTypes(config);
  if (types.length === 0) return undefined;
  return types.every((type) => type === "expert") ? { promptTokens: 0, completionTokens: 0 } : "unreported";
}

export function runTokens(
  stages: Array<{ id: string; status: string; tokens?: TokenUsage | "unreported" }>,
): RunTokens {
  const totals: RunTokens = {
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    spentThisRun: { promptTokens: 0, completionTokens: 0 },
    unreported: [],
    cost: 0,
  };
  let priced = true;
  for (const stage of stages) {
    if (stage.tokens === undefined) continue;
    if (stage.tokens === "unreported") {
      if (stage.status === "ran" || stage.status === "cached") totals.unreported.push(stage.id);
      priced = false;
      continue;
    }
    const cost = costOf(stage.tokens);
    if (cost === undefined) priced = false;
    else totals.cost = (totals.cost as number) + cost;
    totals.promptTokens += stage.tokens.promptTokens;
    totals.completionTokens += stage.tokens.completionTokens;
    if (stage.status === "ran") {
      totals.spentThisRun.promptTokens += stage.tokens.promptTokens;
      totals.spentThisRun.completionTokens += stage.tokens.completionTokens;
    }
  }
  totals.totalTokens = totals.promptTokens + totals.completionTokens;
  if (!priced) totals.cost = "unpriced";
  return totals;
}
