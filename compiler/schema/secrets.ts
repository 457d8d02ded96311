/** Keys whose values are secrets: only `env("NAME")` may stand there. */
export const secretKeys: readonly string[] = ["api_key"];
