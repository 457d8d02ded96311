import { type ILexingResult, Lexer } from "chevrotain";
import { allTokens } from "./tokens.ts";

const lexer = new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false });

/** Splits source text into tokens; comments come back in `groups.comments`, unknown characters in `errors`. */
export function tokenize(source: string): ILexingResult {
  return lexer.tokenize(source);
}
