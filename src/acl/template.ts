// Go text/template, the part SyftBox's ACL patterns can use.
//
// SyftBox (internal/server/acl/matcher.go) treats a pattern containing both
// "{{" and "}}" as a text/template, parsed once with three functions (sha2,
// upper, lower) and executed per request with the data
//   .UserEmail  the requesting user
//   .UserHash   hex of the first 8 bytes of sha256(user)       (16 characters)
//   .Year       UTC year, "%04d"     .Month  UTC month, "%02d"
//   .Date       UTC day of the month, "%02d"
// sha2 s [n...] is the hex sha256 of s, cut to min(n, 64) characters, or to 16
// when n is 0; n is a uint8, so a literal above 255 wraps around as Go's
// reflect.SetUint does; only the first n counts.
//
// Three outcomes, as in Go:
//   - the pattern does not parse (unclosed action, unknown function, empty
//     command, ...): SyftBox logs and drops the rule at load;
//   - it parses but fails when executed (unknown field such as {{.Hash}},
//     wrong argument count or type): that rule never matches;
//   - it renders: the result is matched as an ordinary pattern.
// Everything Go parses but this evaluator does not implement (if/range/with,
// variables, builtins such as printf, printing "." or non-integer numbers) is
// reported as `unsupported`, so the caller can fail closed instead of guessing.
import { createHash } from "node:crypto";

/** SyftBox's hasTemplatePattern. */
export function hasTemplate(pattern: string): boolean {
  return pattern.includes("{{") && pattern.includes("}}");
}

/** The values a template sees, all strings, as SyftBox computes them. */
export interface TemplateData {
  UserEmail: string;
  UserHash: string;
  Year: string;
  Month: string;
  Date: string;
}

export function templateData(user: string, now: Date): TemplateData {
  return {
    UserEmail: user,
    UserHash: userHash(user),
    Year: String(now.getUTCFullYear()).padStart(4, "0"),
    Month: String(now.getUTCMonth() + 1).padStart(2, "0"),
    Date: String(now.getUTCDate()).padStart(2, "0"),
  };
}

/** Hex of the first 8 bytes of sha256(email): 16 characters. */
export function userHash(email: string): string {
  return sha256Hex(email).slice(0, 16);
}

function sha256Hex(s: string): string {
  return createHash("sha256").update(s, "utf8").digest("hex");
}

export interface Template {
  /** The rendered text, or undefined when Go's Execute would fail. */
  render(data: TemplateData): string | undefined;
}

export type TemplateParseResult =
  | { ok: true; template: Template }
  | { ok: false; kind: "parse-error" | "unsupported"; message: string };

export function parseTemplate(source: string): TemplateParseResult {
  try {
    const nodes = new Parser(source).parse();
    return { ok: true, template: { render: (data) => execute(nodes, data) } };
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return { ok: false, kind: "parse-error", message: e.message };
    if (e instanceof Unsupported) return { ok: false, kind: "unsupported", message: e.message };
    throw e;
  }
}

class TemplateSyntaxError extends Error {}
class Unsupported extends Error {}
class ExecError extends Error {}

// ---------------------------------------------------------------------------
// Syntax tree

type TemplateNode = { t: "text"; text: string } | { t: "action"; pipe: Pipeline };
interface Pipeline {
  commands: Command[];
}
interface Command {
  operands: Operand[];
}
type Operand =
  | { t: "field"; names: string[] } // .A or .A.B
  | { t: "function"; name: string }
  | { t: "string"; value: string }
  | { t: "number"; text: string; num: GoNumber }
  | { t: "bool"; value: boolean }
  | { t: "nil" }
  | { t: "pipeline"; pipe: Pipeline; fields: string[] }; // (pipeline) or (pipeline).A

interface GoNumber {
  isInt: boolean;
  isUint: boolean;
  isFloat: boolean;
  isComplex: boolean;
  int?: bigint;
  uint?: bigint;
}

const FUNCTIONS = new Set(["sha2", "upper", "lower"]);
const BUILTINS = new Set(["and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf", "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne"]);
const CONTROL = new Set(["if", "else", "end", "range", "with", "define", "template", "block", "break", "continue"]);
const SPACE = new Set([" ", "\t", "\r", "\n"]);

// ---------------------------------------------------------------------------
// Lexer + parser (one pass; actions are short)

type Token =
  | { t: "space" }
  | { t: "pipe" }
  | { t: "lparen" }
  | { t: "rparen" }
  | { t: "field"; names: string[] }
  | { t: "dot" }
  | { t: "variable" }
  | { t: "identifier"; name: string }
  | { t: "string"; value: string }
  | { t: "number"; text: string }
  | { t: "char"; text: string }
  | { t: "assign" }
  | { t: "end" };

class Parser {
  private pos = 0;
  private tokens: Token[] = [];
  private k = 0;

  constructor(private readonly src: string) {}

  parse(): TemplateNode[] {
    const nodes: TemplateNode[] = [];
    let trimNextText = false;
    while (this.pos <= this.src.length) {
      const open = this.src.indexOf("{{", this.pos);
      let text = this.src.slice(this.pos, open < 0 ? undefined : open);
      if (trimNextText) text = text.replace(/^[ \t\r\n]+/, "");
      if (open < 0) {
        if (text) nodes.push({ t: "text", text });
        break;
      }
      this.pos = open + 2;
      const trimLeft = this.src[this.pos] === "-" && SPACE.has(this.src[this.pos + 1] ?? "");
      if (trimLeft) {
        this.pos += 2;
        text = text.replace(/[ \t\r\n]+$/, "");
      }
      if (text) nodes.push({ t: "text", text });
      trimNextText = this.action(nodes);
    }
    return nodes;
  }

  /** Parse one action after "{{"; returns whether it ended with a right trim marker. */
  private action(nodes: TemplateNode[]): boolean {
    // A comment must follow the delimiter (and trim marker) at once: {{/* ... */}}.
    if (this.src.startsWith("/*", this.pos)) {
      const close = this.src.indexOf("*/", this.pos + 2);
      if (close < 0) throw new TemplateSyntaxError("unclosed comment");
      this.pos = close + 2;
      const trimRight = this.atRightTrim();
      if (trimRight) this.pos += 4;
      else if (this.src.startsWith("}}", this.pos)) this.pos += 2;
      else throw new TemplateSyntaxError("comment ends before closing delimiter");
      return trimRight;
    }
    const trimRight = this.lexAction();
    this.k = 0;
    this.skipSpace();
    const first = this.peek();
    if (first.t === "identifier" && CONTROL.has(first.name)) throw new Unsupported(`{{${first.name}}} actions are not supported`);
    const pipe = this.pipeline("action");
    if (this.peek().t !== "end") throw new TemplateSyntaxError(`unexpected ${describe(this.peek())} in action`);
    if (printsFloat(pipe)) throw new Unsupported("printing a non-integer number is not supported");
    nodes.push({ t: "action", pipe });
    return trimRight;
  }

  private pipeline(context: "action" | "paren"): Pipeline {
    const commands: Command[] = [];
    for (;;) {
      this.skipSpace();
      const operands: Operand[] = [];
      for (;;) {
        this.skipSpace();
        const tok = this.peek();
        if (tok.t === "end" || tok.t === "pipe" || tok.t === "rparen") break;
        operands.push(this.operand());
        const next = this.peek();
        if (next.t !== "space" && next.t !== "end" && next.t !== "pipe" && next.t !== "rparen") {
          throw new TemplateSyntaxError(`unexpected ${describe(next)} in operand`);
        }
      }
      if (operands.length === 0) {
        throw new TemplateSyntaxError(context === "paren" && commands.length === 0 ? "missing value for parenthesized pipeline" : "missing value for command");
      }
      const head = operands[0]!;
      if (commands.length > 0 && (head.t === "string" || head.t === "number" || head.t === "bool" || head.t === "nil")) {
        throw new TemplateSyntaxError(`non executable command in pipeline stage ${commands.length + 1}`);
      }
      commands.push({ operands });
      if (this.peek().t !== "pipe") break;
      this.k++;
    }
    return { commands };
  }

  private operand(): Operand {
    const tok = this.next();
    switch (tok.t) {
      case "field":
        return { t: "field", names: tok.names };
      case "dot":
        throw new Unsupported(`"." (the whole data value) is not supported`);
      case "variable":
      case "assign":
        throw new Unsupported("template variables are not supported");
      case "string":
        return { t: "string", value: tok.value };
      case "number":
        return { t: "number", text: tok.text, num: parseGoNumber(tok.text) };
      case "char":
        throw new Unsupported("character constants are not supported");
      case "identifier": {
        if (tok.name === "true" || tok.name === "false") return { t: "bool", value: tok.name === "true" };
        if (tok.name === "nil") return { t: "nil" };
        if (CONTROL.has(tok.name)) throw new TemplateSyntaxError(`unexpected <${tok.name}>`);
        if (FUNCTIONS.has(tok.name)) return { t: "function", name: tok.name };
        if (BUILTINS.has(tok.name)) throw new Unsupported(`the builtin function "${tok.name}" is not supported`);
        throw new TemplateSyntaxError(`function "${tok.name}" not defined`);
      }
      case "lparen": {
        const pipe = this.pipeline("paren");
        if (this.next().t !== "rparen") throw new TemplateSyntaxError("unclosed left paren");
        const fields: string[] = [];
        while (this.peek().t === "field") fields.push(...(this.next() as { names: string[] }).names);
        return { t: "pipeline", pipe, fields };
      }
      default:
        throw new TemplateSyntaxError(`unexpected ${describe(tok)} in operand`);
    }
  }

  private peek(): Token {
    return this.tokens[this.k] ?? { t: "end" };
  }

  private next(): Token {
    return this.tokens[this.k++] ?? { t: "end" };
  }

  private skipSpace(): void {
    while (this.peek().t === "space") this.k++;
  }

  /** Tokenize up to the closing delimiter; returns whether it was " -}}". */
  private lexAction(): boolean {
    const src = this.src;
    const tokens: Token[] = [];
    let parens = 0;
    for (;;) {
      if (this.atRightTrim()) {
        this.pos += 4;
        this.tokens = tokens;
        if (parens > 0) throw new TemplateSyntaxError("unclosed left paren");
        return true;
      }
      if (src.startsWith("}}", this.pos)) {
        this.pos += 2;
        this.tokens = tokens;
        if (parens > 0) throw new TemplateSyntaxError("unclosed left paren");
        return false;
      }
      const c = src[this.pos];
      if (c === undefined) throw new TemplateSyntaxError("unclosed action");
      if (SPACE.has(c)) {
        while (SPACE.has(src[this.pos] ?? "") && !this.atRightTrim()) this.pos++;
        tokens.push({ t: "space" });
      } else if (c === "|") {
        this.pos++;
        tokens.push({ t: "pipe" });
      } else if (c === "(") {
        this.pos++;
        parens++;
        tokens.push({ t: "lparen" });
      } else if (c === ")") {
        this.pos++;
        if (--parens < 0) throw new TemplateSyntaxError("unexpected right paren");
        tokens.push({ t: "rparen" });
      } else if (c === '"') {
        tokens.push({ t: "string", value: this.lexQuoted() });
      } else if (c === "`") {
        const close = src.indexOf("`", this.pos + 1);
        if (close < 0) throw new TemplateSyntaxError("unterminated raw quoted string");
        tokens.push({ t: "string", value: src.slice(this.pos + 1, close).replace(/\r/g, "") });
        this.pos = close + 1;
      } else if (c === "'") {
        const m = /^'(?:\\.|[^\\'\n])*'/.exec(src.slice(this.pos));
        if (!m) throw new TemplateSyntaxError("unterminated character constant");
        tokens.push({ t: "char", text: m[0] });
        this.pos += m[0].length;
      } else if (c === "$") {
        const m = /^\$[\p{L}\p{N}_]*/u.exec(src.slice(this.pos))!;
        this.pos += m[0].length;
        tokens.push({ t: "variable" });
      } else if (c === ":" && src[this.pos + 1] === "=") {
        this.pos += 2;
        tokens.push({ t: "assign" });
      } else if (c === "=" || c === ",") {
        this.pos++;
        tokens.push({ t: "assign" });
      } else if (c === "." && !/[0-9]/.test(src[this.pos + 1] ?? "")) {
        const names: string[] = [];
        while (src[this.pos] === ".") {
          const m = /^\.([\p{L}\p{N}_]+)/u.exec(src.slice(this.pos));
          if (!m) break;
          names.push(m[1]!);
          this.pos += m[0].length;
        }
        if (names.length === 0) {
          this.pos++;
          tokens.push({ t: "dot" });
        } else tokens.push({ t: "field", names });
        this.requireTerminator();
      } else if (/[0-9+\-.]/.test(c)) {
        const m = /^[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[oObB][0-9_]*|[0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)i?/.exec(src.slice(this.pos));
        const text = m?.[0] ?? "";
        if (!/[0-9]/.test(text) || /^[\p{L}\p{N}_]/u.test(src.slice(this.pos + text.length))) {
          throw new TemplateSyntaxError(`bad number syntax: "${src.slice(this.pos, this.pos + text.length + 1)}"`);
        }
        this.pos += text.length;
        tokens.push({ t: "number", text });
      } else if (/[\p{L}_]/u.test(c)) {
        const m = /^[\p{L}\p{N}_]+/u.exec(src.slice(this.pos))!;
        this.pos += m[0].length;
        tokens.push({ t: "identifier", name: m[0] });
        this.requireTerminator();
      } else {
        throw new TemplateSyntaxError(`unrecognized character in action: ${JSON.stringify(c)}`);
      }
    }
  }

  /** A right trim marker: one space character, "-", then the closing delimiter. */
  private atRightTrim(): boolean {
    return SPACE.has(this.src[this.pos] ?? "") && this.src.startsWith("-}}", this.pos + 1);
  }

  /** Go's lexer wants a space, "|", "(", ")", ".", ",", ":" or the closing delimiter after a word. */
  private requireTerminator(): void {
    const c = this.src[this.pos];
    if (c === undefined || SPACE.has(c) || "|().,:".includes(c) || this.src.startsWith("}}", this.pos)) return;
    throw new TemplateSyntaxError(`bad character ${JSON.stringify(c)}`);
  }

  /** A Go double-quoted string literal starting at this.pos. */
  private lexQuoted(): string {
    const src = this.src;
    let i = this.pos + 1;
    let out = "";
    for (;;) {
      const c = src[i];
      if (c === undefined || c === "\n") throw new TemplateSyntaxError("unterminated quoted string");
      if (c === '"') break;
      if (c !== "\\") {
        const cp = src.codePointAt(i)!;
        out += String.fromCodePoint(cp);
        i += cp > 0xffff ? 2 : 1;
        continue;
      }
      const e = src[i + 1];
      const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\", '"': '"' };
      if (e !== undefined && e in simple) {
        out += simple[e];
        i += 2;
      } else if (e === "x" || e === "u" || e === "U") {
        const len = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = src.slice(i + 2, i + 2 + len);
        if (!new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new TemplateSyntaxError("invalid syntax in quoted string");
        const v = parseInt(hex, 16);
        if (e === "x") throw new Unsupported("\\x byte escapes are not supported");
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new TemplateSyntaxError("invalid syntax in quoted string");
        out += String.fromCodePoint(v);
        i += 2 + len;
      } else if (e !== undefined && /[0-7]/.test(e)) {
        throw new Unsupported("octal byte escapes are not supported");
      } else {
        throw new TemplateSyntaxError("invalid syntax in quoted string");
      }
    }
    this.pos = i + 1;
    return out;
  }
}

/** Would this pipeline print a floating-point constant (Go formats those with %v)? */
function printsFloat(pipe: Pipeline): boolean {
  const head = pipe.commands[pipe.commands.length - 1]!.operands[0]!;
  if (head.t === "pipeline") return head.fields.length === 0 && printsFloat(head.pipe);
  return head.t === "number" && isFloatConstant(head.text, head.num);
}

function isFloatConstant(text: string, num: GoNumber): boolean {
  return num.isComplex || (num.isFloat && !/^[+-]?0[xX]/.test(text) && /[.eEpP]/.test(text));
}

function describe(tok: Token): string {
  return tok.t === "identifier" ? `<${tok.name}>` : tok.t;
}

/** What Go's parse.NumberNode records about a number literal. */
function parseGoNumber(text: string): GoNumber {
  const num: GoNumber = { isInt: false, isUint: false, isFloat: false, isComplex: false };
  if (text.endsWith("i")) {
    num.isComplex = true;
    return num;
  }
  const asInt = parseGoInteger(text);
  if (asInt !== undefined) {
    if (asInt >= 0n && asInt < 2n ** 64n) {
      num.isUint = true;
      num.uint = asInt;
    }
    if (asInt >= -(2n ** 63n) && asInt < 2n ** 63n) {
      num.isInt = true;
      num.int = asInt;
    }
    if (!num.isInt && !num.isUint) throw new TemplateSyntaxError(`integer overflow: "${text}"`);
    num.isFloat = true;
    return num;
  }
  if (/^[+-]?0[xX]/.test(text)) throw new Unsupported(`hexadecimal floating-point numbers are not supported: ${text}`);
  const clean = text.replace(/_/g, "");
  const f = Number(clean);
  if (!/^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(clean) || !Number.isFinite(f)) {
    throw new TemplateSyntaxError(`illegal number syntax: "${text}"`);
  }
  // Go: a float-parsable literal without ".eEpP" is an integer too large (or "08").
  if (!/[.eEpP]/.test(text)) throw new TemplateSyntaxError(`integer overflow: "${text}"`);
  num.isFloat = true;
  if (Number.isInteger(f)) {
    const big = BigInt(f);
    if (big >= -(2n ** 63n) && big < 2n ** 63n) {
      num.isInt = true;
      num.int = big;
    }
    if (big >= 0n && big < 2n ** 64n) {
      num.isUint = true;
      num.uint = big;
    }
  }
  return num;
}

/** strconv.ParseInt(text, 0, ·) syntax: sign, 0x/0o/0b or leading-0 octal, "_" only between digits. */
function parseGoInteger(text: string): bigint | undefined {
  const m = /^([+-]?)(0[xX]_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*|0[oO]_?[0-7]+(?:_[0-7]+)*|0[bB]_?[01]+(?:_[01]+)*|0(?:_?[0-7]+)*|[1-9][0-9]*(?:_[0-9]+)*)$/.exec(text);
  if (!m) return undefined;
  const body = m[2]!.replace(/_/g, "");
  let value: bigint;
  if (/^0[oO]/.test(body)) value = BigInt("0o" + body.slice(2));
  else if (/^0[0-7]+$/.test(body)) value = BigInt("0o" + body.slice(1));
  else value = BigInt(body);
  return m[1] === "-" ? -value : value;
}

// ---------------------------------------------------------------------------
// Execution

type Value = { kind: "string"; value: string } | { kind: "int"; value: bigint } | { kind: "bool"; value: boolean };

function execute(nodes: TemplateNode[], data: TemplateData): string | undefined {
  try {
    let out = "";
    for (const node of nodes) out += node.t === "text" ? node.text : print(evalPipeline(node.pipe, data));
    return out;
  } catch (e) {
    // Unsupported is rejected at parse time; should one slip through, it must not match either.
    if (e instanceof ExecError || e instanceof Unsupported) return undefined;
    throw e;
  }
}

function print(v: Value): string {
  switch (v.kind) {
    case "string":
      return v.value;
    case "int":
      return v.value.toString();
    case "bool":
      return String(v.value);
  }
}

function evalPipeline(pipe: Pipeline, data: TemplateData): Value {
  let final: Value | undefined;
  for (const cmd of pipe.commands) final = evalCommand(cmd, data, final);
  return final!;
}

function evalCommand(cmd: Command, data: TemplateData, final: Value | undefined): Value {
  const [head, ...args] = cmd.operands as [Operand, ...Operand[]];
  const hasArgs = args.length > 0 || final !== undefined;
  switch (head.t) {
    case "field":
      if (hasArgs) throw new ExecError(`${head.names[0]} has arguments but cannot be invoked as function`);
      return fieldChain({ kind: "string", value: "" }, head.names, data, true);
    case "function":
      return call(head.name, args, final, data);
    case "pipeline": {
      if (hasArgs) throw new ExecError("can't give argument to non-function");
      const v = evalPipeline(head.pipe, data);
      return head.fields.length ? fieldChain(v, head.fields, data, false) : v;
    }
    case "string":
    case "bool":
    case "number":
      if (hasArgs) throw new ExecError("can't give argument to non-function");
      return constant(head);
    case "nil":
      throw new ExecError("nil is not a command");
  }
}

/** A field chain: on the data (".A") only the five fields exist; a string has no fields. */
function fieldChain(start: Value, names: string[], data: TemplateData, onData: boolean): Value {
  if (!onData) throw new ExecError(`can't evaluate field ${names[0]} in type ${start.kind}`);
  const [first, ...rest] = names as [string, ...string[]];
  if (!Object.prototype.hasOwnProperty.call(data, first)) throw new ExecError(`can't evaluate field ${first}`);
  if (rest.length) throw new ExecError(`can't evaluate field ${rest[0]} in type string`);
  return { kind: "string", value: data[first as keyof TemplateData] };
}

function constant(op: Operand): Value {
  switch (op.t) {
    case "string":
      return { kind: "string", value: op.value };
    case "bool":
      return { kind: "bool", value: op.value };
    case "number": {
      const n = op.num;
      // A float constant is only ever printed (rejected at parse time) or passed where Go wants another type.
      if (isFloatConstant(op.text, n)) throw new ExecError(`${op.text} is a float`);
      if (n.isInt) return { kind: "int", value: n.int! };
      throw new ExecError(`${op.text} overflows int`);
    }
    default:
      throw new ExecError("not a constant");
  }
}

type ParamType = "string" | "uint8";

function call(name: string, args: Operand[], final: Value | undefined, data: TemplateData): Value {
  const fixed: ParamType[] = ["string"];
  const variadic: ParamType | undefined = name === "sha2" ? "uint8" : undefined;
  const numIn = args.length + (final ? 1 : 0);
  if (variadic ? numIn < fixed.length : numIn !== fixed.length) {
    throw new ExecError(`wrong number of args for ${name}: want ${variadic ? "at least " : ""}${fixed.length} got ${numIn}`);
  }
  const argv: Array<string | number> = [];
  args.forEach((arg, i) => argv.push(evalArg(arg, i < fixed.length ? fixed[i]! : variadic!, data)));
  if (final) argv.push(validateType(final, numIn - 1 < fixed.length ? fixed[numIn - 1]! : variadic!));
  const s = argv[0] as string;
  switch (name) {
    case "upper":
      return { kind: "string", value: goToUpper(s) };
    case "lower":
      return { kind: "string", value: goToLower(s) };
    default: {
      const hash = sha256Hex(s);
      if (argv.length === 1) return { kind: "string", value: hash };
      let n = Math.min(argv[1] as number, 64);
      if (n <= 0) n = 16;
      return { kind: "string", value: hash.slice(0, n) };
    }
  }
}

/** Go's evalArg: literals must have the parameter's own kind; computed values must be assignable. */
function evalArg(arg: Operand, type: ParamType, data: TemplateData): string | number {
  switch (arg.t) {
    case "string":
      if (type === "string") return arg.value;
      throw new ExecError(`expected ${type}; found "${arg.value}"`);
    case "number":
      if (type === "uint8" && arg.num.isUint) return Number(arg.num.uint! % 256n); // reflect.SetUint truncates
      throw new ExecError(`expected ${type === "uint8" ? "unsigned integer" : type}; found ${arg.text}`);
    case "bool":
    case "nil":
      throw new ExecError(`expected ${type}; found ${arg.t}`);
    case "field":
      return validateType(fieldChain({ kind: "string", value: "" }, arg.names, data, true), type);
    case "function":
      return validateType(call(arg.name, [], undefined, data), type);
    case "pipeline": {
      const v = evalPipeline(arg.pipe, data);
      return validateType(arg.fields.length ? fieldChain(v, arg.fields, data, false) : v, type);
    }
  }
}

function validateType(v: Value, type: ParamType): string | number {
  if (type === "string" && v.kind === "string") return v.value;
  throw new ExecError(`wrong type for value; expected ${type}; got ${v.kind}`);
}

// Go's strings.ToUpper/ToLower map code point by code point (no "ß" → "SS").
function goToUpper(s: string): string {
  let out = "";
  for (const ch of s) {
    const up = ch.toUpperCase();
    out += [...up].length === 1 ? up : ch;
  }
  return out;
}

function goToLower(s: string): string {
  let out = "";
  for (const ch of s) {
    const low = ch.toLowerCase();
    out += [...low].length === 1 ? low : ch;
  }
  return out;
}
