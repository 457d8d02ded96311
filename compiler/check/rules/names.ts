/** ATN2003: declaration, parameter and imported names share one namespace; each is declared once. */
import type { Member, Name } from "../../ast/nodes.ts";
import type { CheckContext } from "../context.ts";

export function checkUniqueNames(ctx: CheckContext): void {
  const first = new Map<string, { name: Name; what: string }>();
  const declare = (name: Name, what: string) => {
    if (name.value === "") return;
    const earlier = first.get(name.value);
    if (earlier) {
      ctx.report("ATN2003", name.span, {
        message: `'${name.value}' is already declared (as ${earlier.what})`,
        help: `rename this ${what}; references must say which one they mean`,
        related: [{ message: `'${name.value}' is first declared here`, span: earlier.name.span }],
      });
    } else first.set(name.value, { name, what });
  };
  for (const item of ctx.file.items) {
    if (item.kind === "Import") for (const n of item.names ?? []) declare(n, "an import");
  }
  const visit = (members: Member[]) => {
    for (const m of members) {
      if (m.kind === "Param") declare(m.name, "a param");
      if (m.kind === "Declaration") declare(m.name, `a ${m.declKind}`);
    }
  };
  visit(ctx.file.items.filter((i): i is Member => i.kind !== "Import" && i.kind !== "Recipe"));
  for (const item of ctx.file.items) if (item.kind === "Recipe") visit(item.members);
}
