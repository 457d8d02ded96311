/** The language front end's public face: parse, check and format `.atune` source text. */
import type { SourceFile } from "./ast/nodes.ts";
import { checkFile } from "./check/index.ts";
import { type Diagnostic, finalizeDiagnostics, hasErrors } from "./diagnostics/diagnostic.ts";
import { printFile } from "./format/print.ts";
import { parse } from "./parse.ts";

export interface CheckResult {
  ast: SourceFile;
  /** Sorted by position, at most 100 (then one ATN9001 saying how many more). */
  diagnostics: Diagnostic[];
}

/** Parses and checks one file's text. Never throws on any input. */
export function checkSource(source: string, file = "<input>"): CheckResult {
  const parsed = parse(source, file);
  const diagnostics = [...parsed.diagnostics, ...checkFile(parsed.ast)];
  return { ast: parsed.ast, diagnostics: finalizeDiagnostics(diagnostics) };
}

export type FormatResult = { ok: true; text: string } | { ok: false; diagnostics: Diagnostic[] };

/** The canonical text, or the errors that stop the file from being formatted. */
export function formatSource(source: string, file = "<input>"): FormatResult {
  const { ast, diagnostics } = checkSource(source, file);
  if (hasErrors(diagnostics)) return { ok: false, diagnostics };
  return { ok: true, text: printFile(ast) };
}

export type { Diagnostic } from "./diagnostics/diagnostic.ts";
export { printFile } from "./format/print.ts";
export { parse } from "./parse.ts";
