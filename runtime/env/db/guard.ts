/**
 * Vets one agent-written SQL statement before it reaches SQLite. better-sqlite3 exposes no
 * authorizer, so this works on tokens: keywords hidden in strings, comments or quoted identifiers
 * are not keywords, and everything else is seen. Refused: ATTACH/DETACH (other files), VACUUM
 * (VACUUM INTO writes a file), load_extension(…), PRAGMAs other than read-only schema questions,
 * explicit transactions (the environment applies each statement at once), and more than one
 * statement per action.
 */

const readOnlyPragmas = new Set([
  "table_info",
  "table_xinfo",
  "table_list",
  "index_list",
  "index_info",
  "foreign_key_list",
]);
const transactionWords = new Set(["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "END"]);

interface Token {
  kind: "word" | "punct";
  text: string;
}

/** Words and punctuation; strings, quoted identifiers and comments are dropped (they cannot be keywords). */
function tokenize(sql: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const end = sql.indexOf("*/", i + 2);
      i = end < 0 ? sql.length : end + 2;
    } else if (c === "'" || c === '"' || c === "`" || c === "[") {
      const close = c === "[" ? "]" : c;
      let j = i + 1;
      for (;;) {
        if (j >= sql.length)
          return `unterminated ${c === "'" ? "string" : "quoted identifier"} starting at character ${i + 1}`;
        if (sql[j] === close) {
          if (close !== "]" && sql[j + 1] === close) {
            j += 2; // a doubled quote is an escaped quote
            continue;
          }
          break;
        }
        j++;
      }
      tokens.push({ kind: "punct", text: c === "'" ? "'…'" : '"…"' });
      i = j + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < sql.length && /[A-Za-z0-9_$]/.test(sql[j])) j++;
      tokens.push({ kind: "word", text: sql.slice(i, j).toUpperCase() });
      i = j;
    } else {
      tokens.push({ kind: "punct", text: c });
      i++;
    }
  }
  return tokens;
}

/** Why the statement is refused, or undefined when it may run. */
export function refuseSql(sql: string): string | undefined {
  const tokens = tokenize(sql);
  if (typeof tokens === "string") return `Error: ${tokens}.`;
  // Trailing semicolons are fine; anything after one is a second statement.
  while (tokens.length > 0 && tokens[tokens.length - 1].text === ";") tokens.pop();
  if (tokens.length === 0) return 'Error: empty statement. Write one SQL statement after "sql:".';
  if (tokens.some((t) => t.text === ";")) {
    return "Error: only one SQL statement per action. Send the next statement as a separate action.";
  }
  const first = tokens[0].text;
  if (transactionWords.has(first)) {
    return 'Error: transactions are managed by the environment: each statement takes effect at once. Use the action "commit" to finish a modification task.';
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== "word") continue;
    if (t.text === "ATTACH" || t.text === "DETACH") {
      return `Error: ${t.text} is not allowed: the episode works on its own copy of one database. (Quote a column named "${t.text.toLowerCase()}" to use it.)`;
    }
    if (t.text === "VACUUM") return "Error: VACUUM is not allowed in this environment.";
    if (t.text === "LOAD_EXTENSION") return "Error: loading SQLite extensions is not allowed.";
    if (t.text === "PRAGMA") {
      const name = tokens[i + 1]?.text.toLowerCase() ?? "";
      const assigns = tokens.slice(i + 1).some((x) => x.text === "=");
      if (!readOnlyPragmas.has(name) || assigns) {
        return `Error: PRAGMA ${name} is not allowed; only these read-only ones are: ${[...readOnlyPragmas].join(", ")}.`;
      }
    }
  }
  return undefined;
}
