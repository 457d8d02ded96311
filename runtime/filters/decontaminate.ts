import { episodeTurns, type RecordFilter } from "./types.ts";

/** Lower-cased word n-grams; punctuation splits words so formatting does not hide overlap. */
export function wordNgrams(text: string, n: number): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
  const grams: string[] = [];
  for (let i = 0; i + n <= words.length; i++) grams.push(words.slice(i, i + n).join(" "));
  return grams;
}

/**
 * Drop a training record whose episode shares too many word n-grams with the evaluation texts
 * (AgentTuning ran a 10-gram check). `tolerance` is the largest allowed fraction of the record's
 * n-grams found in the evaluation set: 0 drops a record on any shared n-gram.
 */
export function decontaminateFilter(evaluationTexts: string[], n = 10, tolerance = 0): RecordFilter {
  const evaluationGrams = new Set(evaluationTexts.flatMap((text) => wordNgrams(text, n)));
  return {
    label: `decontaminate (${n}-gram, tolerance ${tolerance})`,
    check(record) {
      const grams = episodeTurns(record).flatMap((turn) => wordNgrams(turn.value, n));
      if (grams.length === 0) return undefined;
      const shared = grams.filter((gram) => evaluationGrams.has(gram)).length;
      const fraction = shared / grams.length;
      return fraction > tolerance
        ? `${shared} of ${grams.length} ${n}-grams appear in the evaluation tasks (${(fraction * 100).toFixed(1)}%)`
        : undefined;
    },
  };
}
