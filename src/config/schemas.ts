// Compiles the JSON Schemas in crds/ with ajv, so validation and the generated
// types (src/generated/) come from the same source. Every schema is registered
// under its $id (its file name) first, so one may $ref another.
import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ValidateFunction } from "ajv";
import { parse } from "yaml";

export type SchemaName = "syncpriority" | "syftpub" | (string & {});

const crdsDir = fileURLToPath(new URL("../../crds/", import.meta.url));
let ajv: Ajv | undefined;

function registry(): Ajv {
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true });
    for (const file of readdirSync(crdsDir).filter((f) => f.endsWith(".schema.yaml"))) {
      ajv.addSchema(parse(readFileSync(`${crdsDir}${file}`, "utf8")) as object, file);
    }
  }
  return ajv;
}

export function schemaValidator(name: SchemaName): ValidateFunction {
  const validate = registry().getSchema(`${name}.schema.yaml`);
  if (!validate) throw new Error(`no schema crds/${name}.schema.yaml`);
  return validate;
}
