import { type ConversationRecord, isTrainedOn, type Speaker } from "../record.ts";

export type LossFlag = "true" | "false" | "null";

export interface DataStats {
  records: number;
  turns: number;
  characters: number;
  /** Turns the loss mask trains on (loss true, or null on a gpt turn) and their characters. */
  trainedTurns: number;
  trainedCharacters: number;
  turnsPerRecord: { min: number; mean: number; max: number };
  /** Loss flag × speaker: how many turns carry each flag. */
  lossFlags: Record<LossFlag, Record<Speaker, number>>;
  /** Records per family: meta.family, else the id's prefix ("os_12" → "os (from id)"). */
  families: Record<string, number>;
}

const zeroSpeakers = (): Record<Speaker, number> => ({ system: 0, human: 0, gpt: 0 });

export function familyOf(record: ConversationRecord): string {
  if (typeof record.meta?.family === "string") return record.meta.family;
  const prefix = /^([A-Za-z][A-Za-z0-9-]*?)_\d+$/.exec(record.id);
  return prefix ? `${prefix[1]} (from id)` : "(none)";
}

export function dataStats(records: readonly ConversationRecord[]): DataStats {
  const stats: DataStats = {
    records: records.length,
    turns: 0,
    characters: 0,
    trainedTurns: 0,
    trainedCharacters: 0,
    turnsPerRecord: { min: 0, mean: 0, max: 0 },
    lossFlags: { true: zeroSpeakers(), false: zeroSpeakers(), null: zeroSpeakers() },
    families: {},
  };
  let min = Number.POSITIVE_INFINITY;
  for (const record of records) {
    const family = familyOf(record);
    stats.families[family] = (stats.families[family] ?? 0) + 1;
    min = Math.min(min, record.conversations.length);
    stats.turnsPerRecord.max = Math.max(stats.turnsPerRecord.max, record.conversations.length);
    for (const turn of record.conversations) {
      stats.turns++;
      stats.characters += turn.value.length;
      stats.lossFlags[String(turn.loss) as LossFlag][turn.from]++;
      if (isTrainedOn(turn)) {
        stats.trainedTurns++;
        stats.trainedCharacters += turn.value.length;
      }
    }
  }
  if (records.length > 0) {
    stats.turnsPerRecord.min = min;
    stats.turnsPerRecord.mean = stats.turns / records.length;
  }
  return stats;
}

/** The stats as an aligned plain-text report. */
export function formatStats(stats: DataStats): string {
  const n = (value: number) => value.toLocaleString("en-US", { maximumFractionDigits: 1 });
  const lines = [
    `records            ${n(stats.records)}`,
    `turns              ${n(stats.turns)} (per record: min ${n(stats.turnsPerRecord.min)}, mean ${n(stats.turnsPerRecord.mean)}, max ${n(stats.turnsPerRecord.max)})`,
    `characters         ${n(stats.characters)}`,
    `trained-on turns   ${n(stats.trainedTurns)} (${n(stats.trainedCharacters)} characters)`,
    "",
    "loss flags         system   human     gpt",
  ];
  for (const flag of ["true", "false", "null"] as const) {
    const row = stats.lossFlags[flag];
    lines.push(
      `  ${flag.padEnd(16)} ${[row.system, row.human, row.gpt].map((v) => n(v).padStart(7)).join(" ")}`,
    );
  }
  lines.push("", "families");
  const families = Object.entries(stats.families).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const width = Math.max(16, ...families.map(([name]) => name.length));
  for (const [name, count] of families) lines.push(`  ${name.padEnd(width)} ${n(count).padStart(7)}`);
  return lines.join("\n");
}
