// How one rule's pattern is tested against a path, chosen once at load time as
// SyftBox does (internal/server/acl/matcher.go):
//   - contains "{{" and "}}"  → template: rendered for the requesting user and
//     date, then matched as the exact-or-glob pattern it renders to;
//   - contains "*", "?" or "[" → doublestar glob;
//   - otherwise               → exact string comparison (so "{a,b}" is literal).
// The pattern given here is already prefixed with the ACL file's folder.
import { compileGlob, hasPathGlobMeta } from "./glob.ts";
import { hasTemplate, parseTemplate, templateData, type Template } from "./template.ts";

export type MatcherKind = "exact" | "glob" | "template";

/** Who asks and when: templates depend on both. */
export interface MatchContext {
  user: string;
  now: Date;
}

export interface Matcher {
  readonly kind: MatcherKind;
  match(path: string, ctx: MatchContext): boolean;
}

export type MatcherResult =
  | { ok: true; matcher: Matcher; warning?: string }
  | { ok: false; kind: "parse-error" | "unsupported"; message: string };

export function matcherFromPattern(fullPattern: string): MatcherResult {
  if (!hasTemplate(fullPattern)) return resolvedMatcher(fullPattern);
  const parsed = parseTemplate(fullPattern);
  if (!parsed.ok) return parsed;
  return { ok: true, matcher: new TemplateMatcher(parsed.template) };
}

/** Exact or glob, for a pattern with no template in it (or one already rendered). */
function resolvedMatcher(pattern: string): MatcherResult {
  if (!hasPathGlobMeta(pattern)) return { ok: true, matcher: new ExactMatcher(pattern) };
  const compiled = compileGlob(pattern);
  if (!compiled.ok) return { ok: false, kind: "unsupported", message: compiled.reason };
  const matcher: Matcher = { kind: "glob", match: (path) => compiled.glob.test(path) };
  return compiled.glob.problem
    ? { ok: true, matcher, warning: `not a valid doublestar pattern (${compiled.glob.problem}); SyftBox's matcher fails on it, so it matches little or nothing` }
    : { ok: true, matcher };
}

class ExactMatcher implements Matcher {
  readonly kind = "exact";
  constructor(private readonly value: string) {}
  match(path: string): boolean {
    return path === this.value;
  }
}

/** Renders once per (user, UTC day) and keeps the compiled result. */
class TemplateMatcher implements Matcher {
  readonly kind = "template";
  private static readonly MAX_CACHED = 10_000;
  private readonly cache = new Map<string, Matcher | null>();

  constructor(private readonly template: Template) {}

  match(path: string, ctx: MatchContext): boolean {
    return this.resolve(ctx)?.match(path, ctx) ?? false;
  }

  private resolve(ctx: MatchContext): Matcher | null {
    const day = ctx.now.toISOString().slice(0, 10);
    const key = `${day}\u0000${ctx.user}`;
    let inner = this.cache.get(key);
    if (inner === undefined) {
      const rendered = this.template.render(templateData(ctx.user, ctx.now));
      // A template that fails to execute never matches; so does an unusable rendering.
      const resolved = rendered === undefined ? undefined : resolvedMatcher(rendered);
      inner = resolved?.ok ? resolved.matcher : null;
      if (this.cache.size >= TemplateMatcher.MAX_CACHED) this.cache.clear();
      this.cache.set(key, inner);
    }
    return inner;
  }
}
