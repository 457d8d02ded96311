/**
 * Diagnostics for people (a code frame: `file:line:col`, the source line, a caret underline) and
 * for programs (JSON). Colour is the caller's choice; `useColor()` gives the usual default.
 */
import type { Span } from "../ast/nodes.ts";
import type { Diagnostic } from "./diagnostic.ts";

const ansi = {
  reset: "\u001b[0m",
  bold: "\u001b[1m",
  red: "\u001b[31m",
  yellow: "\u001b[33m",
  cyan: "\u001b[36m",
  blue: "\u001b[34m",
  green: "\u001b[32m",
};

/** Colour unless NO_COLOR is set (any value) or the stream is not a terminal. */
export function useColor(stream: { isTTY?: boolean } = process.stdout): boolean {
  return !("NO_COLOR" in process.env) && stream.isTTY === true;
}

type Painter = (style: keyof typeof ansi, text: string) => string;

function painter(color: boolean): Painter {
  return (style, text) => (color ? `${ansi[style]}${text}${ansi.reset}` : text);
}

export function formatLocation(span: Span): string {
  return `${span.file}:${span.line}:${span.column}`;
}

/** One diagnostic with its code frame. `source` is the text of the diagnostic's file. */
export function renderDiagnostic(d: Diagnostic, source: string, color = false): string {
  const paint = painter(color);
  const severityStyle = d.severity === "error" ? "red" : d.severity === "warning" ? "yellow" : "cyan";
  const out: string[] = [];
  out.push(
    `${paint(severityStyle, paint("bold", `${d.severity}[${d.code}]`))}${paint("bold", `: ${d.message}`)}`,
  );
  out.push(codeFrame(d.span, source, paint, severityStyle));
  if (d.help) out.push(`${paint("blue", "  = ")}${paint("bold", "help:")} ${d.help}`);
  for (const related of d.related) {
    out.push(`${paint("blue", "  = ")}${paint("bold", "note:")} ${related.message}`);
    if (related.span.file === d.span.file) out.push(codeFrame(related.span, source, paint, "cyan"));
    else out.push(`${paint("blue", "   --> ")}${formatLocation(related.span)}`);
  }
  return out.join("\n");
}

function codeFrame(span: Span, source: string, paint: Painter, style: keyof typeof ansi): string {
  const lines = source.split(/\r?\n/);
  const lineText = lines[span.line - 1] ?? "";
  const gutterWidth = String(span.line).length + 1;
  const gutter = (label: string) => paint("blue", `${label.padStart(gutterWidth)} |`);
  const startIndex = Math.max(0, span.column - 1);
  // Underline to the end of the span, or of the line when the span runs over several lines.
  const endIndex =
    span.endLine === span.line
      ? Math.max(startIndex + 1, span.endColumn)
      : Math.max(startIndex + 1, lineText.length);
  // Keep tabs in the indentation so the carets line up under the text.
  const pad = lineText.slice(0, startIndex).replace(/[^\t]/g, " ");
  const carets = "^".repeat(Math.max(1, endIndex - startIndex));
  return [
    `${" ".repeat(gutterWidth)}${paint("blue", "--> ")}${formatLocation(span)}`,
    gutter(""),
    `${gutter(String(span.line))} ${lineText}`,
    `${gutter("")} ${pad}${paint(style, carets)}`,
  ].join("\n");
}

export function summaryLine(errors: number, warnings: number, files: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (errors === 0 && warnings === 0) return `${plural(files, "file")} checked, no problems`;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")} in ${plural(files, "file")}`;
}

/** The JSON shape of one diagnostic (stable: tools may read it). */
export function diagnosticToJson(d: Diagnostic): Record<string, unknown> {
  return {
    code: d.code,
    severity: d.severity,
    message: d.message,
    help: d.help ?? null,
    file: d.span.file,
    line: d.span.line,
    column: d.span.column,
    endLine: d.span.endLine,
    endColumn: d.span.endColumn,
    start: d.span.start,
    end: d.span.end,
    suggestions: d.suggestions,
    related: d.related.map((r) => ({
      message: r.message,
      file: r.span.file,
      line: r.span.line,
      column: r.span.column,
    })),
  };
}
