// The Go text/template subset SyftBox's ACL patterns use (src/acl/template.ts):
// data fields and their formats, sha2/upper/lower, and the three outcomes
// Go gives (parse error → rule dropped; execution error → never matches;
// rendered text). Constructs Go accepts but we do not evaluate must say so.
import { test } from "node:test";
import assert from "node:assert/strict";
import { hasTemplate, parseTemplate, templateData, userHash } from "../src/acl/template.ts";

const NOW = new Date("2025-03-04T23:59:59Z");
const data = templateData("test@example.com", NOW);

function render(src: string, d = data): string | undefined {
  const parsed = parseTemplate(src);
  assert.ok(parsed.ok, `${src} should parse: ${!parsed.ok && parsed.message}`);
  return parsed.template.render(d);
}

function parseFailure(src: string): { kind: string; message: string } {
  const parsed = parseTemplate(src);
  assert.ok(!parsed.ok, `${src} should not parse`);
  return parsed;
}

test("a template is a pattern containing both {{ and }}", () => {
  assert.ok(hasTemplate("{{.UserEmail}}/*"));
  assert.ok(hasTemplate("a}}b{{c"));
  assert.ok(!hasTemplate("{{.UserEmail/*"));
  assert.ok(!hasTemplate("{a,b}"));
});

test("data: UserEmail as given, UserHash = first 8 bytes of sha256 in hex, Year %04d, Month and Date %02d, UTC", () => {
  assert.deepEqual(data, { UserEmail: "test@example.com", UserHash: "973dfe463ec85785", Year: "2025", Month: "03", Date: "04" });
  assert.equal(userHash("bob@y.org"), "855fb34030755eca");
  // 23:59:59 UTC is already the 5th east of UTC; SyftBox uses UTC.
  assert.equal(templateData("x", new Date("2025-03-04T23:30:00-05:00")).Date, "05");
  assert.equal(templateData("x", new Date("0999-01-01T00:00:00Z")).Year, "0999");
});

test("fields render; an unknown field is an execution error (the rule never matches)", () => {
  assert.equal(render("{{.UserEmail}}/{{.Year}}-{{.Month}}-{{.Date}}/{{.UserHash}}"), "test@example.com/2025-03-04/973dfe463ec85785");
  assert.equal(render("{{.Hash}}/*"), undefined);
  assert.equal(render("{{.UserEmail.Domain}}"), undefined);
  assert.equal(render("{{.UserEmail 1}}"), undefined);
});

test("upper and lower map code point by code point", () => {
  assert.equal(render("{{upper .UserEmail}}"), "TEST@EXAMPLE.COM");
  assert.equal(render("{{lower .UserEmail}}", templateData("Test@Example.Com", NOW)), "test@example.com");
  assert.equal(render("{{.UserEmail | upper}}"), "TEST@EXAMPLE.COM");
  assert.equal(render("{{upper}}"), undefined, "wrong number of arguments");
  assert.equal(render("{{upper .UserEmail .Year}}"), undefined);
  assert.equal(render("{{upper 5}}"), undefined, "a number is not a string");
  assert.equal(render('{{upper "ß"}}'), "ß");
});

test("sha2: full hex, or cut to n (uint8: 0 means 16, above 64 means 64, literals wrap at 256)", () => {
  const full = "973dfe463ec85785f5f95af5ba3906eedb2d931c24e69824a89ea65dba4e813b";
  assert.equal(render("{{sha2 .UserEmail}}"), full);
  assert.equal(render("{{sha2 .UserEmail 8}}"), full.slice(0, 8));
  assert.equal(render("{{sha2 .UserEmail 0}}"), full.slice(0, 16));
  assert.equal(render("{{sha2 .UserEmail 64}}"), full);
  assert.equal(render("{{sha2 .UserEmail 200}}"), full);
  assert.equal(render("{{sha2 .UserEmail 260}}"), full.slice(0, 4));
  assert.equal(render("{{sha2 .UserEmail 8.0}}"), full.slice(0, 8), "an integral float is an unsigned integer to Go");
  assert.equal(render("{{sha2 .UserEmail 0x10}}"), full.slice(0, 16));
  assert.equal(render("{{sha2 .UserEmail 8 30}}"), full.slice(0, 8), "only the first length counts");
  assert.equal(render("{{sha2 .UserEmail -1}}"), undefined);
  assert.equal(render('{{sha2 .UserEmail "8"}}'), undefined);
  assert.equal(render("{{.UserEmail | sha2}}"), full);
  assert.equal(render("{{.UserEmail | sha2 8}}"), undefined, "the piped value lands in the uint8 slot");
  assert.equal(render("{{sha2 .UserEmail (8)}}"), undefined, "a computed int is not a uint8");
  assert.equal(render("{{sha2}}"), undefined);
  assert.equal(render('{{sha2 "abc"}}'), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
});

test("literals, parentheses, pipelines, trim markers and comments", () => {
  assert.equal(render('{{"lit"}}'), "lit");
  assert.equal(render("{{`raw`}}"), "raw");
  assert.equal(render('{{"a\\tb\\u00e9"}}'), "a\tbé");
  assert.equal(render("{{42}}"), "42");
  assert.equal(render("{{true}}"), "true");
  assert.equal(render("{{(upper .UserEmail)}}"), "TEST@EXAMPLE.COM");
  assert.equal(render("{{upper (lower .UserEmail)}}"), "TEST@EXAMPLE.COM");
  assert.equal(render('{{"X" | lower | upper}}'), "X");
  assert.equal(render("a  {{- .Year -}}  b"), "a2025b");
  assert.equal(render("x{{/* a comment */}}y"), "xy");
  assert.equal(render("x {{- /* trimmed */ -}} y"), "xy");
  assert.equal(render("{{ .UserEmail }}"), "test@example.com");
  assert.equal(render('{{"a" "b"}}'), undefined, "can't give argument to non-function");
  assert.equal(render("{{nil}}"), undefined);
  assert.equal(render("{{(.UserEmail).X}}"), undefined);
});

test("parse errors (SyftBox drops the rule)", () => {
  for (const src of ["{{}}", "{{ }}", "{{.UserEmail", "{{nosuch .UserEmail}}", "{{.UserEmail | }}", "{{| upper}}", '{{"open}}', "{{(upper .UserEmail}}", "{{upper .UserEmail)}}", "{{ /* c */ }}", "{{/* c */ x}}", "{{.UserEmail | \"x\"}}", "{{08}}", "{{1a}}", "{{.UserEmail#}}", "{{upper if}}", "a {{-.Year}}"]) {
    assert.equal(parseFailure(src).kind, "parse-error", src);
  }
  assert.match(parseFailure("{{nosuch .UserEmail}}").message, /function "nosuch" not defined/);
});

test("constructs Go runs but this evaluator does not are reported as unsupported, not guessed", () => {
  for (const src of ["{{if .UserEmail}}x{{end}}", "{{range .UserEmail}}{{end}}", "{{with .UserEmail}}{{.}}{{end}}", "{{$x := .UserEmail}}", "{{printf \"%s\" .UserEmail}}", "{{len .UserEmail}}", "{{.}}", "{{'a'}}", "{{1.5}}", "{{(1e3)}}"]) {
    const parsed = parseTemplate(src);
    assert.ok(!parsed.ok && parsed.kind === "unsupported", `${src}: ${parsed.ok ? "parsed" : parsed.message}`);
  }
});
