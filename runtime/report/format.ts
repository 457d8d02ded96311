/** Number formats shared by the Markdown and the HTML report, so both show the same figures. */

/** The paper's normalised score: two decimals (1.96). */
export const formatNormalised = (value: number) => value.toFixed(2);

/** A mean reward or raw group mean: three decimals. */
export const formatReward = (value: number) => value.toFixed(3);

/** A rate in [0, 1] as a percentage with one decimal. */
export const formatPercent = (value: number) => `${(value * 100).toFixed(1)}%`;

/** "invalid_action" → "invalid action". */
export const errorLabel = (type: string) => type.replace(/_/g, " ");
