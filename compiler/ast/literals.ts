/** Reading number and string literals: units, escapes. Problems are returned, not thrown. */
import type { NumberUnit } from "./nodes.ts";

/** Each unit and what one of it is in base units (fractions, seconds, bytes, plain counts). */
export const numberUnits: Record<NumberUnit, number> = {
  "%": 0.01,
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
};

export type UnitClass = "ratio" | "duration" | "count" | "size";

export function unitClass(unit: NumberUnit | null): UnitClass | null {
  if (unit === null) return null;
  if (unit === "%") return "ratio";
  if (unit === "ms" || unit === "s" || unit === "m" || unit === "h" || unit === "d") return "duration";
  if (unit === "k" || unit === "M" || unit === "G") return "count";
  return "size";
}

export type NumberReading =
  | { ok: true; value: number; unit: NumberUnit | null }
  | { ok: false; digits: string; unit: string };

export function readNumber(raw: string): NumberReading {
  const match = /^(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(.*)$/.exec(raw);
  const digits = match?.[1] ?? raw;
  const suffix = match?.[2] ?? "";
  const magnitude = Number(digits);
  if (suffix === "") return { ok: true, value: magnitude, unit: null };
  if (!(suffix in numberUnits)) return { ok: false, digits, unit: suffix };
  const unit = suffix as NumberUnit;
  // Divide for percentages so 7% is exactly 0.07, not 7 * 0.01.
  const value = unit === "%" ? magnitude / 100 : magnitude * numberUnits[unit];
  return { ok: true, value, unit };
}

export interface StringReading {
  value: string;
  /** Offsets (into the literal's text) and text of escapes that are not recognised. */
  badEscapes: Array<{ offset: number; text: string }>;
}

/** Decodes the text of a string literal, quotes included; `closed` is false when the closing quote is missing. */
export function readString(literal: string, closed = true): StringReading {
  const body = literal.slice(1, closed ? -1 : undefined);
  let value = "";
  const badEscapes: StringReading["badEscapes"] = [];
  for (let i = 0; i < body.length; i++) {
    const char = body[i];
    if (char !== "\\") {
      value += char;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) {
      badEscapes.push({ offset: i + 1, text: "\\" });
      break;
    }
    const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", '"': '"', "\\": "\\" };
    if (next in simple) {
      value += simple[next];
      i++;
      continue;
    }
    const unicode = /^u\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 1));
    const codePoint = unicode ? Number.parseInt(unicode[1], 16) : Number.NaN;
    if (unicode && codePoint <= 0x10ffff) {
      value += String.fromCodePoint(codePoint);
      i += unicode[0].length;
      continue;
    }
    badEscapes.push({ offset: i + 1, text: `\\${next}` });
    value += next;
    i++;
  }
  return { value, badEscapes };
}

/** The literal that reads back as `value` (canonical escapes). */
export function writeString(value: string): string {
  let out = '"';
  for (const char of value) {
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\t") out += "\\t";
    else if (char === "\r") out += "\\r";
    else if (char.codePointAt(0)! < 0x20 || char === "\u2028" || char === "\u2029")
      out += `\\u{${char.codePointAt(0)!.toString(16)}}`;
    else out += char;
  }
  return `${out}"`;
}
