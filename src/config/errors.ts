// One error type for every problem in a file the user wrote (rule files, ACLs,
// fixtures, observed-state files): it always names the file and, when known,
// the line and the field, so the CLI can print it as one actionable line.

export type Severity = "error" | "warning";

export class ConfigError extends Error {
  constructor(
    /** The file as the user should see it (workspace-relative where possible). */
    readonly file: string,
    /** 1-based line of the offending node, when the file parsed far enough to know it. */
    readonly line: number | undefined,
    /** Dotted/bracketed path inside the document, e.g. `rules[0].operations[1]`. */
    readonly field: string | undefined,
    /** What is wrong and, where it helps, what to do about it. */
    readonly detail: string,
    readonly severity: Severity = "error",
  ) {
    super(formatConfigProblem(file, line, field, detail));
    this.name = "ConfigError";
    // One line, whatever the file holds: a key such as "a\nb" must not split (or forge) output lines.
    this.field = field === undefined ? undefined : oneLine(field);
    this.detail = oneLine(detail);
  }

  toJSON(): { file: string; line?: number; message: string } {
    const message = this.field ? `${this.field}: ${this.detail}` : this.detail;
    return this.line === undefined ? { file: this.file, message } : { file: this.file, line: this.line, message };
  }
}

export function formatConfigProblem(file: string, line: number | undefined, field: string | undefined, detail: string): string {
  const where = line === undefined ? oneLine(file) : `${oneLine(file)}:${line}`;
  return field ? `${where}: ${oneLine(field)}: ${oneLine(detail)}` : `${where}: ${oneLine(detail)}`;
}

/** Line breaks and other control characters written as escapes (`\n`, `\u2028`), so a message stays one line. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, (c) => (c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}

/** Node's fs errors carry a code; turn the common ones into a sentence a user can act on. */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied: check the file's owner and mode";
    case "EISDIR":
      return "is a folder, expected a file";
    case "ENOTDIR":
      return "a parent of this path is a file, not a folder";
    default:
      return e?.message ?? String(err);
  }
}

/** A bad argument from a caller (CLI flag, API parameter): the message says which and what to pass. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}
