/**
 * The schema checks, one rule per file (compiler/check/rules). They read the AST and report;
 * they never change it. Name resolution across files and type checks of references come after.
 */
import type { SourceFile } from "../ast/nodes.ts";
import type { Diagnostic } from "../diagnostics/diagnostic.ts";
import { CheckContext, type CheckRule } from "./context.ts";
import { checkDeclarations } from "./rules/declarations.ts";
import { checkExpectNames } from "./rules/expects.ts";
import { checkMixWeights } from "./rules/mix.ts";
import { checkUniqueNames } from "./rules/names.ts";
import { checkParams } from "./rules/params.ts";
import { checkSecrets } from "./rules/secrets.ts";
import { checkExpectations, checkRecipeSettings } from "./rules/settings.ts";
import { checkShots } from "./rules/shots.ts";
import { checkStructure } from "./rules/structure.ts";

export const rules: CheckRule[] = [
  checkStructure,
  checkUniqueNames,
  checkRecipeSettings,
  checkParams,
  checkDeclarations,
  checkMixWeights,
  checkExpectations,
  checkExpectNames,
  checkSecrets,
  checkShots,
];

export function checkFile(file: SourceFile): Diagnostic[] {
  const ctx = new CheckContext(file);
  for (const rule of rules) rule(ctx);
  return ctx.diagnostics;
}
