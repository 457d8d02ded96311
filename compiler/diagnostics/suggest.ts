/**
 * "Did you mean": the candidates close to what was written, nearest first. Distance is the
 * optimal-string-alignment Damerau–Levenshtein distance (a swap of neighbours counts once), the
 * same measure graphql-js uses for its suggestions; a case-only difference counts as distance 1.
 */
export function suggestionList(input: string, candidates: Iterable<string>): string[] {
  const threshold = Math.floor(input.length * 0.4) + 1;
  const scored: Array<[string, number]> = [];
  const lowerInput = input.toLowerCase();
  for (const candidate of new Set(candidates)) {
    if (candidate === input) continue;
    const distance =
      candidate.toLowerCase() === lowerInput
        ? 1
        : editDistance(lowerInput, candidate.toLowerCase(), threshold);
    if (distance <= threshold) scored.push([candidate, distance]);
  }
  scored.sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]));
  return scored.map(([candidate]) => candidate);
}

/** Distance between a and b, or a number above `limit` as soon as it is known to exceed it. */
export function editDistance(a: string, b: string, limit = Number.POSITIVE_INFINITY): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let twoBack: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, twoBack[j - 2] + 1);
      }
      current.push(value);
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
    twoBack = previous;
    previous = current;
  }
  return previous[b.length];
}

/** " Did you mean 'x'?" / " Did you mean 'x' or 'y'?", or "" when there is nothing close. */
export function didYouMean(suggestions: string[]): string {
  const shown = suggestions.slice(0, 3).map((s) => `'${s}'`);
  if (shown.length === 0) return "";
  if (shown.length === 1) return ` Did you mean ${shown[0]}?`;
  return ` Did you mean ${shown.slice(0, -1).join(", ")} or ${shown[shown.length - 1]}?`;
}
