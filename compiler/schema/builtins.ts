/** What ships with atune: environment families, data sets, models, file formats. */

/** The six AgentInstruct families; they may be trained on. */
export const heldInFamilies = ["household", "shop", "web", "kg", "os", "db"] as const;
/** Families only ever evaluated on. */
export const heldOutFamilies = ["sciworld", "cardgame", "multihop_qa", "function_call", "form_fill"] as const;
export const environmentFamilies: readonly string[] = [...heldInFamilies, ...heldOutFamilies];

/** Built-in data sets (`builtin "general"`: general-domain instruction conversations). */
export const builtinDatasets: readonly string[] = ["general"];

/** Built-in models: sizes trained from scratch, and tiny-chat, pretrained (models/tiny-chat). */
export const builtinModels: readonly string[] = ["tiny", "small", "tiny-chat"];

/** File formats `load … as FORMAT` reads. */
export const dataFormats: readonly string[] = ["agentinstruct", "sharegpt", "openai_chat", "alpaca"];

/** The built-in generator kinds, used as `generator g = expert` / `= openai { … }`. */
export const generatorKinds: readonly string[] = ["expert", "openai"];

export const splits = ["train", "test"] as const;

/** Why an episode ended (a `keep finish == …` filter compares against these). */
export const finishReasons = [
  "success",
  "max_turns",
  "repetition",
  "context_limit",
  "invalid_action",
  "error",
] as const;
