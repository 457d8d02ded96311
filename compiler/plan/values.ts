/** Reading resolved values out of the AST: settings by key, numbers under the params' values. */
import type { Block, CallExpression, Declaration, Expression, Setting } from "../ast/nodes.ts";

export type ParamValues = Map<string, unknown>;

/** The value of an expression with the params' values substituted; names that are not params stay names. */
export function evaluate(e: Expression, params: ParamValues): unknown {
  switch (e.kind) {
    case "Number":
      return e.value;
    case "String":
    case "Bool":
      return e.value;
    case "Ref":
      return params.has(e.name) ? params.get(e.name) : e.name;
    case "List":
      return e.elements.map((x) => evaluate(x, params));
    case "Record":
      return Object.fromEntries(e.entries.map((x) => [x.key.value, evaluate(x.value, params)]));
    case "Unary": {
      const v = evaluate(e.operand, params);
      return e.op === "-" ? -(v as number) : !v;
    }
    case "Binary": {
      const a = evaluate(e.left, params) as number;
      const b = evaluate(e.right, params) as number;
      if (e.op === "+") return a + b;
      if (e.op === "-") return a - b;
      if (e.op === "*") return a * b;
      if (e.op === "/") return a / b;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Rounds away binary noise (1 - 0.8 = 0.19999999999999996) so plans read as written. */
export function tidy(x: number): number {
  return Number.isInteger(x) ? x : +x.toPrecision(12);
}

export function settings(block: Block | null): Map<string, Setting> {
  const out = new Map<string, Setting>();
  for (const entry of block?.entries ?? [])
    if (entry.kind === "Setting" && !out.has(entry.key.value)) out.set(entry.key.value, entry);
  return out;
}

/** Reads a declaration's block settings as values. */
export class Settings {
  private readonly map: Map<string, Setting>;
  constructor(
    block: Block | null,
    private readonly params: ParamValues,
  ) {
    this.map = settings(block);
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  expr(key: string): Expression | undefined {
    return this.map.get(key)?.value;
  }
  setting(key: string): Setting | undefined {
    return this.map.get(key);
  }
  number(key: string): number | undefined {
    const e = this.expr(key);
    if (!e) return undefined;
    const v = evaluate(e, this.params);
    return typeof v === "number" ? tidy(v) : undefined;
  }
  string(key: string): string | undefined {
    const e = this.expr(key);
    if (!e) return undefined;
    const v = evaluate(e, this.params);
    return typeof v === "string" ? v : undefined;
  }
  bool(key: string): boolean | undefined {
    const e = this.expr(key);
    const v = e ? evaluate(e, this.params) : undefined;
    return typeof v === "boolean" ? v : undefined;
  }
  call(key: string): { fn: string; args: Map<string, Expression>; node: CallExpression } | undefined {
    const e = this.expr(key);
    if (!e) return undefined;
    if (e.kind === "Ref")
      return { fn: e.name, args: new Map(), node: { kind: "Call", callee: e, args: [], span: e.span } };
    if (e.kind !== "Call" || e.callee.kind !== "Ref") return undefined;
    const args = new Map<string, Expression>();
    for (const a of e.args) if (a.name) args.set(a.name.value, a.value);
    return { fn: e.callee.name, args, node: e };
  }
}

/** Names referenced anywhere in an expression (params and declarations alike). */
export function referencedNames(e: Expression | null | undefined, out = new Set<string>()): Set<string> {
  if (!e) return out;
  switch (e.kind) {
    case "Ref":
      out.add(e.name);
      break;
    case "List":
      for (const x of e.elements) referencedNames(x, out);
      break;
    case "Record":
      for (const x of e.entries) referencedNames(x.value, out);
      break;
    case "Member":
      referencedNames(e.object, out);
      break;
    case "Call":
      // The callee of react(…) or lora(…) is a function, not a name in scope.
      for (const a of e.args) referencedNames(a.value, out);
      break;
    case "Unary":
      referencedNames(e.operand, out);
      break;
    case "Binary":
      referencedNames(e.left, out);
      referencedNames(e.right, out);
      break;
    case "Range":
      referencedNames(e.from, out);
      referencedNames(e.to, out);
      break;
    case "Within":
      referencedNames(e.value, out);
      referencedNames(e.tolerance, out);
      referencedNames(e.target, out);
      break;
    case "Collect":
      referencedNames(e.tasks, out);
      referencedNames(e.generator, out);
      break;
    case "Finetune":
      referencedNames(e.base, out);
      referencedNames(e.data, out);
      break;
    case "Evaluate":
      referencedNames(e.models, out);
      break;
    case "Sample":
      if (e.weights.kind === "Record") {
        for (const x of e.weights.entries) {
          out.add(x.key.value);
          referencedNames(x.value, out);
        }
      }
      break;
    case "LocalModel":
      referencedNames(e.model, out);
      break;
    default:
      break;
  }
  return out;
}

/** Every name a declaration reads: its value, its settings, and its filters' conditions and scopes. */
export function declarationReferences(d: Declaration): Set<string> {
  const out = referencedNames(d.value);
  for (const entry of d.options?.entries ?? []) {
    if (entry.kind === "Setting") {
      // Keys like `split = train` hold words, not references; but values may name params.
      referencedNames(entry.value, out);
      for (const o of entry.options?.entries ?? []) if (o.kind === "Setting") referencedNames(o.value, out);
    } else if (entry.kind === "Keep") {
      referencedNames(entry.condition, out);
      referencedNames(entry.scope, out);
    } else if (entry.kind === "Decontaminate") {
      referencedNames(entry.against, out);
      referencedNames(entry.ngram, out);
    }
  }
  return out;
}

/** The names in a `[a, b]` list or a single name. */
export function nameList(
  e: Expression | null | undefined,
): Array<{ name: string; span: Expression["span"] }> {
  if (!e) return [];
  if (e.kind === "Ref") return [{ name: e.name, span: e.span }];
  if (e.kind === "List") return e.elements.flatMap((x) => nameList(x));
  return [];
}
