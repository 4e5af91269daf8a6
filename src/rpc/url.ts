// syft:// URLs as SyftBox writes them (internal/utils/url.go):
// `syft://<datasite email>/app_data/<app>/rpc/<endpoint>`, optionally followed
// by a query string whose keys are sorted.

export interface SyftUrl {
  /** The datasite (an email) that serves the endpoint. */
  datasite: string;
  app: string;
  /** Endpoint path below `rpc/`, without leading or trailing slashes (e.g. `sync`). */
  endpoint: string;
  query?: Record<string, string>;
}

const EMAIL = /^[^@\s/\\]+@[^@\s/\\]+$/;

/** True for a string usable as a datasite name: one `@`, no whitespace or path separators. */
export function isEmail(value: string): boolean {
  return EMAIL.test(value) && value !== "." && value !== "..";
}

export function formatSyftUrl(url: SyftUrl): string {
  const endpoint = url.endpoint.replace(/^\/+|\/+$/g, "");
  const base = `syft://${url.datasite}/app_data/${url.app}/rpc/${endpoint}`;
  const keys = Object.keys(url.query ?? {}).sort();
  if (keys.length === 0) return base;
  return `${base}?${keys.map((k) => `${k}=${encodeURIComponent(url.query![k]!)}`).join("&")}`;
}

/** Parses a syft URL; returns undefined when it is not of the form above. */
export function parseSyftUrl(text: string): SyftUrl | undefined {
  const match = /^syft:\/\/([^/?#]+)\/([^?#]*)(?:\?([^#]*))?$/.exec(text);
  if (!match) return undefined;
  const datasite = match[1]!;
  if (!isEmail(datasite)) return undefined;
  const parts = match[2]!.split("/").filter((p) => p !== "");
  const rpc = parts.indexOf("rpc");
  if (parts[0] !== "app_data" || rpc < 2 || rpc === parts.length - 1) return undefined;
  const url: SyftUrl = { datasite, app: parts.slice(1, rpc).join("/"), endpoint: parts.slice(rpc + 1).join("/") };
  if (match[3]) url.query = Object.fromEntries(new URLSearchParams(match[3]));
  return url;
}
