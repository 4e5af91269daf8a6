// Plain-text output helpers: aligned columns, and colour only where it helps
// (a TTY, and never with NO_COLOR: https://no-color.org).

export function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd());
}

export type Paint = (code: "red" | "green" | "yellow" | "dim" | "bold", text: string) => string;

export function painter(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): Paint {
  const on = isTTY && !("NO_COLOR" in env && env.NO_COLOR !== "");
  const codes = { red: 31, green: 32, yellow: 33, dim: 2, bold: 1 } as const;
  return (code, text) => (on ? `\u001b[${codes[code]}m${text}\u001b[0m` : text);
}
