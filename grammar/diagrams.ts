// `npm run docs:grammar`: writes the railroad diagrams of the grammar to docs/grammar.html.
import { writeFileSync } from "node:fs";
import { createSyntaxDiagramsCode } from "chevrotain";
import { parser } from "./parser.ts";

const target = new URL("../docs/grammar.html", import.meta.url);
writeFileSync(target, createSyntaxDiagramsCode(parser.getSerializedGastProductions()));
console.log(`wrote ${target.pathname}`);
