// Checks every answer the generated client receives against the committed OpenAPI document.
//
// openapi-fetch does not validate at run time, so this is an openapi-fetch middleware: each response is looked up
// by its operation (openapi-fetch hands over the path template and the method), and then
//   * its status must be one the operation declares (or a declared `default` / `4XX` range);
//   * its media type must be one declared for that status (a declared response without content has no body);
//   * a JSON body (`application/json`, `*+json`) must validate against the declared schema with ajv (JSON Schema
//     2020-12, `$ref`s into `#/components/schemas` resolved from the document itself, formats checked);
//   * any other body is, in OpenAPI 3.1 terms, a string (of bytes): the declared schema must accept a string.
// A mismatch throws a `ContractViolation` out of the generated call that received the answer.

import { readFileSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { Middleware } from "openapi-fetch";

const ROOT = "urn:muamalat:openapi";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface MediaTypeObject {
  schema?: Json;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, MediaTypeObject>;
  $ref?: string;
}
interface OperationObject {
  operationId?: string;
  responses?: Record<string, ResponseObject>;
}
interface Document {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, Json> };
}

export class ContractViolation extends Error {
  override name = "ContractViolation";
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `#/components/schemas/X` → an absolute reference into the schema registered as ROOT. */
function rewriteRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === "$ref" && typeof inner === "string" && inner.startsWith("#/components/schemas/")) {
      out[key] = `${ROOT}#/$defs/${inner.slice("#/components/schemas/".length)}`;
    } else {
      out[key] = rewriteRefs(inner);
    }
  }
  return out;
}

function essence(contentType: string | null): string {
  return (contentType ?? "").split(";")[0]!.trim().toLowerCase();
}

function mediaMatches(declared: string, actual: string): boolean {
  const d = declared.toLowerCase();
  if (d === "*/*") return true;
  if (d.endsWith("/*")) return actual.split("/")[0] === d.split("/")[0];
  return d === actual;
}

function isJson(media: string): boolean {
  return media === "application/json" || media.endsWith("+json");
}

export class Contract {
  readonly doc: Document;
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();
  checked = 0;
  readonly operations = new Set<string>();

  constructor(path: string) {
    this.doc = JSON.parse(readFileSync(path, "utf8")) as Document;
    this.ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
    addFormats(this.ajv);
    this.ajv.addFormat("int32", {
      type: "number",
      validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n <= 2 ** 31 - 1,
    });
    this.ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
    this.ajv.addFormat("binary", { type: "string", validate: () => true });
    // OpenAPI's annotations beside JSON Schema's.
    this.ajv.addVocabulary(["example", "discriminator", "xml", "externalDocs"]);
    const defs: JsonObject = {};
    for (const [name, schema] of Object.entries(this.doc.components.schemas)) defs[name] = rewriteRefs(schema);
    this.ajv.addSchema({ $id: ROOT, $defs: defs });
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(schema) as JsonObject);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  /** Validation errors of `instance` against a component schema (for the self-test). */
  errors(component: string, instance: unknown): string[] {
    const validate = this.ajv.getSchema(`${ROOT}#/$defs/${component}`);
    if (!validate) throw new Error(`no component schema ${component}`);
    return validate(instance) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}`);
  }

  /** Throws `ContractViolation` unless the answer is one the document declares. */
  async check(method: string, template: string, response: Response): Promise<void> {
    const m = method.toLowerCase();
    const op = this.doc.paths[template]?.[m];
    if (!op) throw new ContractViolation(`${method} ${template}: no such operation in the document`);
    const where = `${method} ${template} (${op.operationId ?? "?"}) answered ${response.status}`;
    this.operations.add(op.operationId ?? `${method} ${template}`);
    const responses = op.responses ?? {};
    const status = String(response.status);
    const key = [status, `${status[0]}XX`, "default"].find((k) => k in responses);
    const bytes = Buffer.from(await response.arrayBuffer());
    if (key === undefined) {
      throw new ContractViolation(
        `${where}: status not declared (declared: ${Object.keys(responses).join(", ")}); ` +
          `body: ${bytes.toString("utf8", 0, 500)}`,
      );
    }
    const declared = responses[key]!;
    if (declared.$ref) throw new ContractViolation(`${where}: response $ref not supported by this checker`);
    const content = declared.content ?? {};
    const media = essence(response.headers.get("content-type"));
    if (Object.keys(content).length === 0) {
      if (bytes.length > 0) {
        throw new ContractViolation(`${where}: the document declares no body, got ${media || "bytes"}`);
      }
      this.checked++;
      return;
    }
    const matching = Object.keys(content)
      .filter((d) => mediaMatches(d, media))
      .sort((a, b) => a.split("*").length - b.split("*").length);
    const declaredMedia = matching[0];
    if (declaredMedia === undefined) {
      throw new ContractViolation(
        `${where}: media type ${media || "(none)"} not declared (declared: ${Object.keys(content).join(", ")})`,
      );
    }
    const schema = content[declaredMedia]!.schema;
    if (schema === undefined) {
      this.checked++;
      return;
    }
    let body: unknown;
    if (isJson(media)) {
      try {
        body = JSON.parse(bytes.toString("utf8"));
      } catch (e) {
        throw new ContractViolation(`${where}: ${media} body is not JSON (${String(e)})`);
      }
    } else {
      // OpenAPI 3.1: a non-JSON body is a string of bytes (latin1 maps each byte to one character).
      body = bytes.toString("latin1");
    }
    const validate = this.validator(`${m} ${template} ${key} ${declaredMedia}`, schema);
    if (!validate(body)) {
      const problems = (validate.errors ?? [])
        .slice(0, 10)
        .map((e) => `${e.instancePath || "(root)"} ${e.message} ${JSON.stringify(e.params)}`);
      const shown = isJson(media) ? JSON.stringify(body).slice(0, 800) : `<${bytes.length} bytes>`;
      throw new ContractViolation(
        `${where}: body does not match the declared schema (${declaredMedia}):\n  ` +
          `${problems.join("\n  ")}\n  body: ${shown}`,
      );
    }
    this.checked++;
  }

  /** The openapi-fetch middleware that checks every answer. */
  middleware(): Middleware {
    return {
      onResponse: async ({ request, response, schemaPath }) => {
        await this.check(request.method, schemaPath, response.clone());
        return undefined;
      },
    };
  }

  /** The checker is not vacuous: known-bad bodies are refused. */
  selfTest(): void {
    if (this.errors("Referral", { id: "seven" }).length === 0) {
      throw new ContractViolation("self-test: a Referral with a string id validated");
    }
    const unknownCode = { type: "x", title: "t", status: 409, detail: "d", code: "no_such_code_at_all" };
    if (this.errors("Problem", unknownCode).length === 0) {
      throw new ContractViolation("self-test: a Problem with an unknown code validated");
    }
    const badTime = { id: 1, kind: "registered", at: "yesterday", actor: {}, actor_unit: {}, details: {} };
    if (!this.errors("Event", badTime).some((e) => e.includes("date-time"))) {
      throw new ContractViolation("self-test: a date-time format was not checked");
    }
  }
}
