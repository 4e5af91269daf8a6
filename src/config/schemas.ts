// Compiles the JSON Schemas in crds/ once with ajv, so validation and the
// generated types (src/generated/) come from the same source.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";

export type SchemaName = "syncpriority" | "syftpub" | (string & {});

const crdsDir = new URL("../../crds/", import.meta.url);
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
const compiled = new Map<string, ValidateFunction>();

export function schemaValidator(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    const path = fileURLToPath(new URL(`${name}.schema.yaml`, crdsDir));
    const schema = parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    // Schemas may $ref each other by $id; register all of them before compiling.
    validate = ajv.getSchema(String(schema.$id)) ?? ajv.compile(schema);
    compiled.set(name, validate);
  }
  return validate;
}
