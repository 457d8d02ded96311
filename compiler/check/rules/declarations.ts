/** Each declaration: a known form for its kind, known built-ins and formats, then its block's keys. */
import {
  type Declaration,
  type DeclarationKind,
  declarationKinds,
  type Expression,
} from "../../ast/nodes.ts";
import { didYouMean, suggestionList } from "../../diagnostics/suggest.ts";
import { dataFormats, declarationSchema, type FormSpec } from "../../schema/kinds.ts";
import { checkBlock } from "../blocks.ts";
import type { CheckContext } from "../context.ts";
import { allMembers } from "../members.ts";

export function checkDeclarations(ctx: CheckContext): void {
  for (const member of allMembers(ctx.file)) {
    if (member.kind === "Declaration") checkDeclaration(ctx, member);
  }
}

function checkDeclaration(ctx: CheckContext, d: Declaration): void {
  if (!(declarationKinds as readonly string[]).includes(d.declKind)) return; // reported while parsing
  const kind = d.declKind as DeclarationKind;
  const spec = declarationSchema[kind];
  if (d.value.kind === "Missing") return;
  const form = spec.forms.find((f) => f.matches(d.value));
  if (!form) {
    const suggestion = suggestForm(kind, d.value);
    ctx.report("ATN2007", d.value.span, {
      message: `a ${kind} cannot be made from ${describeValue(d.value)}${suggestion ? `.${didYouMean([suggestion])}` : ""}`,
      help: `a ${kind} is written as one of: ${spec.forms.map((f) => `${kind} ${d.name.value || "NAME"} = ${f.syntax}`).join("; ")}`,
      suggestions: suggestion ? [suggestion] : [],
    });
    return;
  }
  checkFormValue(ctx, kind, form, d.value);
  checkBlock(ctx, d.options, {
    owner: `${kind} '${d.name.value}' (${form.syntax})`,
    ownerSpan: d.name.span,
    keys: form.keys,
    statements: form.statements,
    requireOneOf: form.requireOneOf,
    exclusive: form.exclusive,
  });
}

function checkFormValue(ctx: CheckContext, kind: DeclarationKind, form: FormSpec, value: Expression): void {
  if (form.builtin && value.kind === "Builtin") {
    const written = value.name.value;
    if (!form.builtin.names.includes(written)) {
      const suggestions = suggestionList(written, form.builtin.names);
      ctx.report("ATN2006", value.name.span, {
        message: `there is no ${form.builtin.what} called "${written}".${didYouMean(suggestions)}`,
        help: `the built-in ${kind === "task" ? "families" : "names"} are: ${form.builtin.names.join(", ")}`,
        suggestions,
      });
    }
  }
  if (value.kind === "Load" && value.format.value !== "" && !dataFormats.includes(value.format.value)) {
    const suggestions = suggestionList(value.format.value, dataFormats);
    ctx.report("ATN2005", value.format.span, {
      message: `unknown data format '${value.format.value}'.${didYouMean(suggestions)}`,
      help: `the formats are: ${dataFormats.join(", ")}`,
      suggestions,
    });
  }
  if (value.kind === "Module" && value.exportName === null) {
    ctx.report("ATN2004", value.path.span, {
      message: "say which export of the module to use",
      help: `write module "${value.path.value}"#exportName`,
    });
  }
  if (value.kind === "Sample" && value.weights.kind !== "Record" && value.weights.kind !== "Missing") {
    ctx.report("ATN2004", value.weights.span, {
      message: "sample takes a record of sources and their probabilities",
      help: "write sample { agent: 20%, general: 80% }",
    });
  }
}

/** A misspelt generator kind (`expret`) is a reference that almost names a form. */
function suggestForm(kind: DeclarationKind, value: Expression): string | null {
  if (value.kind !== "Ref") return null;
  const words = declarationSchema[kind].forms.map((f) => f.syntax).filter((s) => /^[a-z_]+$/.test(s));
  return suggestionList(value.name, words)[0] ?? null;
}

function describeValue(e: Expression): string {
  switch (e.kind) {
    case "Number":
      return "a number";
    case "String":
      return "a string";
    case "Ref":
      return `'${e.name}'`;
    case "Builtin":
      return 'builtin "…"';
    case "Hf":
      return 'hf "…"';
    case "Module":
      return 'module "…"';
    case "Load":
      return "load … as …";
    case "Collect":
      return `${e.mode} … with …`;
    case "Finetune":
      return "finetune … on …";
    case "Evaluate":
      return "evaluate …";
    case "Sample":
      return "sample { … }";
    case "LocalModel":
      return "model …";
    default:
      return `a ${e.kind.toLowerCase()} expression`;
  }
}
