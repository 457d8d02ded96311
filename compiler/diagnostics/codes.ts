/**
 * Every diagnostic code atune reports, with its meaning. Codes are stable: once published, a code
 * keeps its meaning (docs/language.md lists this table). ATN1xxx: reading the text (lexing and
 * syntax); ATN2xxx: the shape of the recipe (the schema); ATN3xxx: names, references, files and modules
 * (resolution and planning); ATN4xxx: what `atune test` finds; ATN9xxx: about the report itself.
 */
export type Severity = "error" | "warning" | "info";

export interface CodeInfo {
  severity: Severity;
  title: string;
}

export const codes = {
  ATN1001: { severity: "error", title: "unexpected character" },
  ATN1002: { severity: "error", title: "unterminated string" },
  ATN1003: { severity: "error", title: "unterminated block comment" },
  ATN1004: { severity: "error", title: "unexpected token" },
  ATN1005: { severity: "error", title: "missing token" },
  ATN1006: { severity: "error", title: "unexpected text after the end of the file's content" },
  ATN1007: { severity: "error", title: "unknown unit on a number" },
  ATN1008: { severity: "error", title: "reserved word used as a name" },
  ATN1009: { severity: "error", title: "unknown declaration kind" },
  ATN1010: { severity: "error", title: "unknown statement in a block" },
  ATN1011: { severity: "error", title: "invalid escape in a string" },
  ATN1012: { severity: "error", title: "nesting too deep" },
  ATN2001: { severity: "error", title: "unknown key" },
  ATN2002: { severity: "error", title: "duplicate key" },
  ATN2003: { severity: "error", title: "duplicate name" },
  ATN2004: { severity: "error", title: "value of the wrong type" },
  ATN2005: { severity: "error", title: "unknown choice" },
  ATN2006: { severity: "error", title: "unknown built-in" },
  ATN2007: { severity: "error", title: "wrong kind of value for this declaration" },
  ATN2008: { severity: "error", title: "unknown function" },
  ATN2009: { severity: "error", title: "bad argument" },
  ATN2010: { severity: "error", title: "statement not allowed here" },
  ATN2011: { severity: "error", title: "missing required key" },
  ATN2012: { severity: "error", title: "conflicting keys" },
  ATN2013: { severity: "error", title: "value out of range" },
  ATN2014: { severity: "error", title: "mix weights do not sum to 1" },
  ATN2015: { severity: "error", title: "unknown filter field" },
  ATN2016: { severity: "error", title: "misplaced top-level item" },
  ATN2017: { severity: "error", title: "unknown parameter type" },
  ATN2018: { severity: "error", title: "sweep of an undeclared or duplicate parameter" },
  ATN2019: { severity: "error", title: "unknown fact in an expect" },
  ATN3001: { severity: "error", title: "imported file not found" },
  ATN3002: { severity: "error", title: "import cycle" },
  ATN3003: { severity: "error", title: "name not exported by the imported file" },
  ATN3004: { severity: "error", title: "unknown name" },
  ATN3005: { severity: "error", title: "reference to the wrong kind of declaration" },
  ATN3006: { severity: "warning", title: "input file not found" },
  ATN3007: { severity: "warning", title: "evaluation tasks can overlap training tasks" },
  ATN3008: { severity: "error", title: "training on a held-out family" },
  ATN3009: { severity: "error", title: "secret written into the recipe" },
  ATN3010: { severity: "error", title: "more worked examples than environments ship" },
  ATN3011: { severity: "error", title: "bad --set override" },
  ATN3012: { severity: "error", title: "TypeScript module does not fit" },
  ATN3013: { severity: "info", title: "realised mix shares" },
  ATN3014: { severity: "error", title: "setting not supported by this build's runtime" },
  ATN3015: { severity: "error", title: "env() outside a secret" },
  ATN3020: { severity: "error", title: "input changed since atune.lock was written" },
  ATN3021: { severity: "error", title: "input not pinned in atune.lock" },
  ATN3022: { severity: "error", title: "input file missing in a locked recipe" },
  ATN3023: { severity: "error", title: "atune.lock pins an input the recipe no longer reads" },
  ATN3024: { severity: "error", title: "atune.lock cannot be read" },
  ATN4001: { severity: "error", title: "expect does not hold" },
  ATN4002: { severity: "error", title: "plan is not deterministic" },
  ATN4003: { severity: "error", title: "mix shares differ from the declared weights" },
  ATN4004: { severity: "error", title: "evaluation tasks reach a training set" },
  ATN4005: { severity: "error", title: "stage seed not fixed" },
  ATN4006: { severity: "error", title: "data stage failed under atune test --with-data" },
  ATN9001: { severity: "info", title: "further diagnostics suppressed" },
} as const satisfies Record<string, CodeInfo>;

export type DiagnosticCode = keyof typeof codes;
