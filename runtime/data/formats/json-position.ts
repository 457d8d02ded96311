/**
 * Where JSON text first goes wrong, as an offset. Node 20's JSON.parse messages do not say where
 * the error is, so after a failed parse this small recursive-descent scanner finds the spot; it
 * runs only on failure, so its speed does not matter.
 */
export function jsonErrorOffset(text: string): number {
  let at = 0;
  const fail = (): never => {
    throw at;
  };
  const space = () => {
    while (at < text.length && " \t\n\r".includes(text[at])) at++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, at)) at += word.length;
    else fail();
  };
  const string = () => {
    at++; // opening quote
    while (at < text.length && text[at] !== '"') {
      if (text[at] === "\\") at++;
      else if (text.charCodeAt(at) < 0x20) fail();
      at++;
    }
    if (at >= text.length) fail();
    at++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match) fail();
    at += match![0].length;
  };
  const sequence = (close: string, item: () => void) => {
    at++;
    space();
    if (text[at] === close) return void at++;
    for (;;) {
      item();
      space();
      if (text[at] === ",") {
        at++;
        space();
      } else if (text[at] === close) return void at++;
      else fail();
    }
  };
  const value = (): void => {
    space();
    const c = text[at];
    if (c === "{") {
      sequence("}", () => {
        if (text[at] !== '"') fail();
        string();
        space();
        if (text[at] !== ":") fail();
        at++;
        value();
      });
    } else if (c === "[") sequence("]", value);
    else if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else number();
  };
  try {
    value();
    space();
    return Math.min(at, text.length);
  } catch (thrown) {
    // A number is the offset; anything else (nesting too deep for the stack) gives no position.
    return typeof thrown === "number" ? thrown : 0;
  }
}

/** The 1-based line of an offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === "\n") line++;
  return line;
}
