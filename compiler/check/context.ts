import type { SourceFile, Span } from "../ast/nodes.ts";
import type { DiagnosticCode } from "../diagnostics/codes.ts";
import { type Diagnostic, type DiagnosticInput, diagnostic } from "../diagnostics/diagnostic.ts";

/** What every check rule gets: the file, and a place to report. */
export class CheckContext {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly file: SourceFile) {}

  report(code: DiagnosticCode, span: Span, input: DiagnosticInput): void {
    this.diagnostics.push(diagnostic(code, span, input));
  }
}

export type CheckRule = (ctx: CheckContext) => void;
