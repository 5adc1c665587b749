// Generates generated/schema.d.ts from the OpenAPI document with openapi-typescript, as its documentation
// recommends for file uploads: `format: binary` becomes `Blob` (the CLI would type it `string`).
//   node generate.mjs ../../../openapi/openapi.json generated/schema.d.ts
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  console.error("usage: node generate.mjs <openapi.json> <schema.d.ts>");
  process.exit(2);
}
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));
const NULL = ts.factory.createLiteralTypeNode(ts.factory.createNull());
const ast = await openapiTS(pathToFileURL(resolve(input)), {
  // `{"type": "object"}` without properties (Event.details, AuditEntry.details) allows any properties in JSON
  // Schema; without this option openapi-typescript types it as an object with none.
  emptyObjectsUnknown: true,
  transform(schema) {
    if (schema.format !== "binary") return undefined;
    const nullable = Array.isArray(schema.type) && schema.type.includes("null");
    return nullable ? ts.factory.createUnionTypeNode([BLOB, NULL]) : BLOB;
  },
});
mkdirSync(dirname(resolve(output)), { recursive: true });
writeFileSync(output, astToString(ast));
console.log(`openapi-typescript: ${input} → ${output}`);
