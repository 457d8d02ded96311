/** ATN2016: imports first; at most one recipe; nothing but imports beside a recipe. */
import type { Member, TopLevelItem } from "../../ast/nodes.ts";
import type { CheckContext } from "../context.ts";

export function checkStructure(ctx: CheckContext): void {
  const items = ctx.file.items;
  const recipes = items.filter((i) => i.kind === "Recipe");
  for (const extra of recipes.slice(1)) {
    ctx.report("ATN2016", extra.name.span, {
      message: `a file holds one recipe, but this is a second one ('${extra.name.value}')`,
      help: "move it to a file of its own and import what it shares",
      related: [{ message: "the first recipe", span: recipes[0].name.span }],
    });
  }
  let seenNonImport = false;
  for (const item of items) {
    if (item.kind === "Import") {
      if (seenNonImport) {
        ctx.report("ATN2016", item.span, {
          message: "imports must come before everything else in the file",
          help: "move this import to the top of the file",
        });
      }
      continue;
    }
    seenNonImport = true;
    if (item.kind === "Recipe") continue;
    if (recipes.length > 0) {
      ctx.report("ATN2016", headSpan(item), {
        message: `this ${describe(item)} is outside the recipe`,
        help: `move it inside recipe ${recipes[0].name.value} { … }`,
      });
    } else if (item.kind === "Setting" || item.kind === "Sweep" || item.kind === "Expect") {
      ctx.report("ATN2016", headSpan(item), {
        message: `a ${describe(item)} belongs in a recipe, not in a file of shared declarations`,
        help: "wrap the file's declarations in recipe NAME { … }, or move this into the recipe that imports them",
      });
    }
  }
}

function describe(item: Member): string {
  switch (item.kind) {
    case "Setting":
      return `setting '${item.key.value}'`;
    case "Param":
      return `param '${item.name.value}'`;
    case "Declaration":
      return `${item.declKind} '${item.name.value}'`;
    case "Sweep":
      return "sweep";
    case "Expect":
      return "expect statement";
  }
}

function headSpan(item: Exclude<TopLevelItem, { kind: "Import" | "Recipe" }>) {
  if (item.kind === "Setting") return item.key.span;
  if (item.kind === "Param" || item.kind === "Declaration") return item.name.span;
  return item.span;
}
