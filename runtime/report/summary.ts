/**
 * Derived views of the report data that both renderings show: per-model error totals and the
 * sweep points, computed once so the Markdown and the HTML agree.
 */
import { type ErrorType, errorTypes } from "../eval/taxonomy.ts";
import type { ParamValue, ReportData, ReportRow } from "./data.ts";

export interface ErrorTotals {
  row: string;
  episodes: number;
  failed: number;
  counts: Record<ErrorType, number>;
}

export function errorTotals(rows: ReportRow[]): ErrorTotals[] {
  return rows.map((row) => {
    const counts = Object.fromEntries(errorTypes.map((type) => [type, 0])) as Record<ErrorType, number>;
    for (const family of row.families) {
      for (const type of errorTypes) counts[type] += family.errors[type] ?? 0;
    }
    const episodes = row.families.reduce((sum, f) => sum + f.episodes, 0);
    const success = row.families.reduce((sum, f) => sum + f.success, 0);
    return { row: row.label, episodes, failed: episodes - success, counts };
  });
}

/** The error types that occur in at least one row, in the taxonomy's order. */
export function presentErrorTypes(totals: ErrorTotals[]): ErrorType[] {
  return errorTypes.filter((type) => totals.some((t) => t.counts[type] > 0));
}

export interface SweepPoint {
  value: ParamValue;
  row: ReportRow;
}

/** The sweep's rows ordered by the swept value (numerically when every value is a number). */
export function sweepPoints(data: ReportData): { numeric: boolean; points: SweepPoint[] } | undefined {
  const sweep = data.sweep;
  if (sweep === undefined) return undefined;
  const points = data.rows.map((row) => ({ value: row.params[sweep], row }));
  const numeric = points.every((p) => typeof p.value === "number");
  if (numeric) points.sort((a, b) => (a.value as number) - (b.value as number));
  return { numeric, points };
}

/** The score of a row on a group, if it has tasks there. */
export function groupScore(row: ReportRow, group: string) {
  return row.groups.find((g) => g.group === group);
}
