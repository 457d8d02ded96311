import type { Span } from "../ast/nodes.ts";
import { codes, type DiagnosticCode, type Severity } from "./codes.ts";

export interface RelatedLocation {
  message: string;
  span: Span;
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: Severity;
  /** What is wrong, in one sentence. */
  message: string;
  /** How to fix it. */
  help?: string;
  span: Span;
  related: RelatedLocation[];
  /** Replacements for the text at `span`, best first ("did you mean"). */
  suggestions: string[];
}

export interface DiagnosticInput {
  message: string;
  help?: string;
  related?: RelatedLocation[];
  suggestions?: string[];
}

export function diagnostic(code: DiagnosticCode, span: Span, input: DiagnosticInput): Diagnostic {
  return {
    code,
    severity: codes[code].severity,
    message: input.message,
    help: input.help,
    span,
    related: input.related ?? [],
    suggestions: input.suggestions ?? [],
  };
}

/** The most diagnostics reported for one file; beyond it, one ATN9001 says how many were left out. */
export const MAX_DIAGNOSTICS_PER_FILE = 100;

/** Sorts by position and applies the per-file cap. */
export function finalizeDiagnostics(list: Diagnostic[], limit = MAX_DIAGNOSTICS_PER_FILE): Diagnostic[] {
  const sorted = [...list].sort((a, b) => a.span.start - b.span.start || a.code.localeCompare(b.code));
  if (sorted.length <= limit) return sorted;
  const kept = sorted.slice(0, limit);
  const last = kept[kept.length - 1];
  kept.push(
    diagnostic("ATN9001", last.span, {
      message: `${sorted.length - limit} more diagnostics in this file were suppressed`,
      help: "fix the ones above and run `atune check` again",
    }),
  );
  return kept;
}

export function hasErrors(list: Diagnostic[]): boolean {
  return list.some((d) => d.severity === "error");
}
