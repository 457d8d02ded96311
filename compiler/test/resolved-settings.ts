/**
 * The schema checks, again, with every param replaced by its sampled value. `atune check` checks
 * literals and accepts a param wherever a value goes (its value is not known yet); here it is, so
 * `count = 10 * shots` with shots = 0 is the error `count = 0` would be, pointing at `10 * shots`.
 */
import type { Expression, Member, SourceFile, TopLevelItem } from "../ast/nodes.ts";
import { checkFile } from "../check/index.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import type { ParamValue } from "./domains.ts";

export interface ResolvedParam {
  type: string;
  value: ParamValue;
}

/**
 * Errors that appear only once the params take these values: `seen` holds the identities
 * (baselineOf) of the file's own diagnostics, which are not repeated.
 */
export function checkResolvedSettings(
  file: SourceFile,
  params: Map<string, ResolvedParam>,
  seen: Set<string> = baselineOf(file),
): Diagnostic[] {
  const substituted: SourceFile = { ...file, items: file.items.map((item) => substituteItem(item, params)) };
  // The rules word their findings for the written defaults; here the values are the sampled ones.
  return checkFile(substituted)
    .filter((d) => d.severity === "error" && !seen.has(identity(d)))
    .map((d) => ({ ...d, message: d.message.replace(" with the params' defaults", " with these values") }));
}

export function baselineOf(file: SourceFile): Set<string> {
  return new Set(checkFile(file).map(identity));
}

function identity(d: Diagnostic): string {
  return `${d.code}:${d.span.start}:${d.message}`;
}

function substituteItem(item: TopLevelItem, params: Map<string, ResolvedParam>): TopLevelItem {
  if (item.kind === "Recipe")
    return { ...item, members: item.members.map((m) => substituteMember(m, params)) };
  if (item.kind === "Import") return item;
  return substituteMember(item, params);
}

/** Declarations and settings take the values; params, sweeps and expects keep their text. */
function substituteMember(m: Member, params: Map<string, ResolvedParam>): Member {
  if (m.kind !== "Declaration" && m.kind !== "Setting") return m;
  return substitute(m, params) as Member;
}

/** A deep copy with each Ref to a param replaced by a literal of its value, at the Ref's span. */
function substitute(node: unknown, params: Map<string, ResolvedParam>): unknown {
  if (Array.isArray(node)) return node.map((x) => substitute(x, params));
  if (node === null || typeof node !== "object") return node;
  const e = node as Expression;
  if (e.kind === "Ref" && params.has(e.name)) return literal(params.get(e.name)!, e.span);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node))
    out[key] = key === "span" ? value : substitute(value, params);
  return out;
}

function literal({ type, value }: ResolvedParam, span: Expression["span"]): Expression {
  // A word is written bare where a choice goes (`split = train`), so a word stands as a name.
  if (typeof value === "string")
    return /^[A-Za-z_]\w*$/.test(value)
      ? { kind: "Ref", name: value, span }
      : { kind: "String", value, span };
  if (typeof value === "boolean") return { kind: "Bool", value, span };
  const unit = type === "duration" ? "s" : type === "size" ? "B" : null;
  return { kind: "Number", raw: `${value}${unit ?? ""}`, value, unit, noun: null, span };
}
