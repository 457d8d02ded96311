// The built-in general-instruction set: a seeded, synthetic stand-in for ShareGPT / MMLU / GSM8K.
export { choicePrompt, chosenLetter, numbersIn, score } from "./checkers.ts";
export { type ChoiceOptions, choiceRecord, generateChoices } from "./choice.ts";
export { evaluateChoices, evaluateGeneral, type GeneralScore, type Respond } from "./evaluate.ts";
export { GENERAL_DATA_VERSION, type GeneralOptions, generalRecord, generateGeneral } from "./generate.ts";
export { GeneralSetTooSmallError, type GeneralSplit, generalSplits, splitOf } from "./split.ts";
export * from "./types.ts";
