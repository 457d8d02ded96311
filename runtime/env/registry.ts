import { dbEnv } from "./db/index.ts";
import { cardgame } from "./families/cardgame/index.ts";
import { formFill } from "./families/form_fill/index.ts";
import { functionCall } from "./families/function_call/index.ts";
import { household } from "./families/household/index.ts";
import { kg } from "./families/kg/index.ts";
import { multihopQa } from "./families/multihop_qa/index.ts";
import { sciworld } from "./families/sciworld/index.ts";
import { shop } from "./families/shop/index.ts";
import { web } from "./families/web/index.ts";
import { osEnv } from "./os/index.ts";
import type { Environment } from "./types.ts";

// The built-in environment families. Add a family by importing it and listing it here.
export const builtinEnvironments: Environment[] = [
  // held-in
  household,
  shop,
  web,
  kg,
  osEnv,
  dbEnv,
  // held-out
  sciworld,
  functionCall,
  formFill,
  cardgame,
  multihopQa,
];

export function findEnvironment(family: string): Environment | undefined {
  return builtinEnvironments.find((env) => env.family === family);
}
