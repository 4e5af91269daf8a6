// Canonical JSON: the exact bytes a signature covers, so signer and verifier
// agree whatever key order or spacing a JSON writer used. This is RFC 8785
// (JSON Canonicalization Scheme) for the values our documents hold: objects
// with keys sorted by UTF-16 code units (JavaScript's default string order),
// no whitespace, strings and numbers written as ECMAScript's JSON.stringify
// writes them (which is what RFC 8785 specifies), `undefined` properties
// left out. Anything JSON cannot carry exactly is refused with a TypeError:
// non-finite numbers, strings with lone surrogates (not I-JSON), bigints,
// functions, class instances, `undefined` in arrays.

/** The canonical JSON text of `value` (RFC 8785). */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  write(value, out, "$");
  return out.join("");
}

function write(value: unknown, out: string[], where: string): void {
  if (value === null) {
    out.push("null");
    return;
  }
  switch (typeof value) {
    case "boolean":
      out.push(value ? "true" : "false");
      return;
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${where} is ${value}, not a JSON number`);
      out.push(JSON.stringify(value)); // -0 becomes "0", as RFC 8785 wants
      return;
    case "string":
      if (!isWellFormed(value)) throw new TypeError(`canonical JSON: ${where} holds a lone surrogate (not I-JSON)`);
      out.push(JSON.stringify(value));
      return;
    case "object":
      break;
    default:
      throw new TypeError(`canonical JSON: ${where} is a ${typeof value}`);
  }
  if (Array.isArray(value)) {
    out.push("[");
    value.forEach((item, i) => {
      if (i > 0) out.push(",");
      if (item === undefined) throw new TypeError(`canonical JSON: ${where}[${i}] is undefined`);
      write(item, out, `${where}[${i}]`);
    });
    out.push("]");
    return;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) throw new TypeError(`canonical JSON: ${where} is not a plain object`);
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  out.push("{");
  keys.forEach((key, i) => {
    if (i > 0) out.push(",");
    if (!isWellFormed(key)) throw new TypeError(`canonical JSON: a key of ${where} holds a lone surrogate (not I-JSON)`);
    out.push(JSON.stringify(key), ":");
    write(record[key], out, `${where}.${key}`);
  });
  out.push("}");
}

const hasIsWellFormed = typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === "function";
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isWellFormed(s: string): boolean {
  return hasIsWellFormed ? (s as string & { isWellFormed(): boolean }).isWellFormed() : !LONE_SURROGATE.test(s);
}
