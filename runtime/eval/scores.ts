/**
 * AgentTuning's overall score: each task's score is divided by the mean score of all compared
 * models on that task (so the average model scores 1 on every task), then the normalised scores
 * are averaged over the tasks of a group (held-in, held-out, general).
 */

export interface TaskScore {
  model: string;
  task: string;
  group: string;
  score: number;
}

export interface GroupScore {
  model: string;
  group: string;
  /** Mean normalised score over the group's tasks. */
  normalised: number;
  /** Mean raw score over the group's tasks. */
  raw: number;
  tasks: number;
}

export function normalisedScores(scores: TaskScore[]): GroupScore[] {
  const taskMeans = new Map<string, number>();
  for (const task of new Set(scores.map((s) => s.task))) {
    const values = scores.filter((s) => s.task === task).map((s) => s.score);
    taskMeans.set(task, values.reduce((a, b) => a + b, 0) / values.length);
  }
  const out: GroupScore[] = [];
  const models = [...new Set(scores.map((s) => s.model))];
  const groups = [...new Set(scores.map((s) => s.group))];
  for (const model of models) {
    for (const group of groups) {
      const rows = scores.filter((s) => s.model === model && s.group === group);
      if (rows.length === 0) continue;
      // A task every model scores 0 on carries no information: it normalises to 0, not NaN.
      const normalised = rows.map((s) => (taskMeans.get(s.task)! > 0 ? s.score / taskMeans.get(s.task)! : 0));
      out.push({
        model,
        group,
        normalised: normalised.reduce((a, b) => a + b, 0) / rows.length,
        raw: rows.reduce((a, s) => a + s.score, 0) / rows.length,
        tasks: rows.length,
      });
    }
  }
  return out;
}
