// The correspondence flow through the TypeScript client generated from openapi/openapi.json: openapi-typescript's
// types and openapi-fetch. Every call goes through the typed client; every answer is checked against the document
// (see contract.ts). Run by ../run.sh, which generates generated/schema.d.ts, type-checks with `tsc --strict`, and
// passes MUAMALAT_BASE_URL, MUAMALAT_PASSWORD, MUAMALAT_AGENCY_CLIENT_ID, MUAMALAT_AGENCY_CLIENT_SECRET and
// MUAMALAT_OPENAPI.

import { createHash, randomUUID } from "node:crypto";
import createClient, { type Client } from "openapi-fetch";
import type { components, paths } from "../generated/schema";
import { Contract, ContractViolation } from "./contract";

type Schemas = components["schemas"];
type Api = Client<paths>;

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

function step(message: string): void {
  console.log(`[typescript] ${message}`);
}

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** The answer has this status and a body the client parsed. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }, status: number): T {
  if (result.response.status !== status || result.data === undefined) {
    throw new Error(
      `expected ${status}, got ${result.response.status} ${result.response.url}: ${JSON.stringify(result.error)}`,
    );
  }
  return result.data;
}

/** The answer is this problem. */
function problem(
  result: { data?: unknown; error?: Schemas["Problem"] | undefined; response: Response },
  status: number,
  code: Schemas["ErrorCode"],
): Schemas["Problem"] {
  const got = result.response.status;
  assert(got === status && result.error, `expected ${status} ${code}, got ${got}`);
  assert(result.error.code === code, `expected ${code}, got ${result.error.code}`);
  return result.error;
}

// A small but real PDF: the server recognises the media type from the content.
const PDF = Buffer.concat([
  Buffer.from(
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n" +
      "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
    "latin1",
  ),
  Buffer.from("خطاب وزارة الشؤون البلدية — نسخة العميل المولّد (TypeScript)\n", "utf8"),
]);

/** A multipart body from a generated form type: text fields as they are, `Blob`s as files with their names. */
function multipart(fields: Record<string, unknown>, names: Record<string, string>): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      if (v === undefined || v === null) continue;
      if (v instanceof Blob) form.append(key, v, names[key] ?? key);
      // An object part (the agency's `letter`) is JSON, as the document's encoding says.
      else if (typeof v === "object") form.append(key, JSON.stringify(v));
      else form.append(key, String(v));
    }
  }
  return form;
}

async function main(): Promise<void> {
  const started = Date.now();
  const base = env("MUAMALAT_BASE_URL");
  const password = env("MUAMALAT_PASSWORD");
  const contract = new Contract(env("MUAMALAT_OPENAPI"));
  contract.selfTest();
  const tag = randomUUID().slice(0, 8);

  const client = (token?: string): Api => {
    const api = createClient<paths>({
      baseUrl: base,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
    api.use(contract.middleware());
    return api;
  };
  const anonymous = client();
  const signIn = async (username: string): Promise<Api> => {
    const answer = ok(await anonymous.POST("/api/v1/auth/login", { body: { username, password } }), 200);
    assert(answer.user.username === username, "signed in as the user asked for");
    return client(answer.access_token);
  };

  // -- the central registry registers an incoming letter and refers it ------------------------------------------
  const clerk = await signIn("registry.clerk1");
  const units = new Map(ok(await clerk.GET("/api/v1/units"), 200).map((u) => [u.code, u.id]));
  const unit = (code: string): number => {
    const id = units.get(code);
    assert(id !== undefined, `unit ${code}`);
    return id;
  };
  const employee = ok(await clerk.GET("/api/v1/users", { params: { query: { q: "khb.employee1" } } }), 200).find(
    (u) => u.username === "khb.employee1",
  );
  assert(employee, "khb.employee1 is found");
  const ministry = ok(await clerk.GET("/api/v1/external-entities", { params: { query: { q: "MOMAH" } } }), 200)[0];
  assert(ministry, "the ministry is in the directory");
  const letter: Schemas["NewTransaction"] = {
    kind: "incoming",
    subject: `طلب بيانات المشاريع البلدية (${tag})`,
    external_entity_id: ministry.id,
    sender_reference: `1447/م/${tag}`,
    priority: "urgent",
    referrals: [
      { unit_id: unit("KHB"), purpose: "action", instructions: "للإفادة" },
      { unit_id: unit("GD-HR"), purpose: "information" },
    ],
  };
  const key = `ts-flow-${tag}`;
  const register = () =>
    clerk.POST("/api/v1/transactions", { params: { header: { "Idempotency-Key": key } }, body: letter });
  const registered = ok(await register(), 201);
  const tx = registered.transaction;
  assert(/^\d{4}\/\d{6}$/.test(tx.registration_number ?? ""), `registration number ${tx.registration_number}`);
  assert(tx.status === "open" && tx.priority === "urgent", "registered open and urgent");
  assert(ok(await register(), 201).transaction.id === tx.id, "the same Idempotency-Key answers the first registration");
  const toKhb = registered.referrals.find((r) => r.to_unit.code === "KHB");
  const toHr = registered.referrals.find((r) => r.to_unit.code === "GD-HR");
  assert(toKhb && toHr, "referred to KHB and GD-HR");
  assert(toKhb.status === "sent" && toHr.purpose === "information", "the referrals as asked");
  step(`registered ${tx.registration_number} (transaction ${tx.id}), referred to KHB and GD-HR`);

  // -- the scanned original: upload, then download the same bytes ------------------------------------------------
  const digest = createHash("sha256").update(PDF).digest("hex");
  const fileName = `letter-${tag}.pdf`;
  const form: Schemas["NewDocumentForm"] = {
    title: "الخطاب الأصلي",
    kind: "original_scan",
    sha256: digest,
    file: new Blob([PDF], { type: "application/pdf" }),
  };
  const document = ok(
    await clerk.POST("/api/v1/transactions/{id}/documents", {
      params: { path: { id: tx.id } },
      body: form,
      // openapi-fetch sends JSON unless told otherwise: the form is serialised as the document declares it.
      bodySerializer: (body) => multipart(body, { file: fileName }),
    }),
    201,
  );
  const original = document.versions[0];
  assert(original, "the document has its original");
  assert(original.version === 1 && original.sha256 === digest && original.size === PDF.length, "the original as sent");
  assert(original.media_type === "application/pdf", `media type ${original.media_type}`);
  const listed = ok(await clerk.GET("/api/v1/transactions/{id}/documents", { params: { path: { id: tx.id } } }), 200);
  assert(listed.length === 1 && listed[0]?.id === document.id, "the transaction lists the document");
  const content = "/api/v1/documents/{id}/versions/{version}/content" as const;
  const fetched = await clerk.GET(content, {
    params: { path: { id: document.id, version: 1 } },
    parseAs: "arrayBuffer",
  });
  const downloaded = Buffer.from(ok(fetched, 200));
  assert(downloaded.equals(PDF), "the downloaded bytes are the uploaded ones");
  assert(fetched.response.headers.get("etag")?.replaceAll('"', "") === digest, "the ETag is the SHA-256");
  const part = await clerk.GET(content, {
    params: { path: { id: document.id, version: 1 }, header: { Range: "bytes=0-7" } },
    parseAs: "arrayBuffer",
  });
  assert(Buffer.from(ok(part, 206)).equals(PDF.subarray(0, 8)), "a byte range");
  step(`uploaded and downloaded document ${document.id} (${PDF.length} bytes, sha256 ${digest.slice(0, 12)}…)`);

  // -- Khobar's head finds it in the unit queue, receives it, forwards it to an employee ------------------------
  const head = await signIn("khb.head");
  const queue = ok(
    await head.GET("/api/v1/inbox", {
      params: {
        query: { box: "unit", status: "open", priority: "urgent", kind: "incoming", overdue: false, limit: 50 },
      },
    }),
    200,
  );
  assert(queue.items.some((i) => i.referral.id === toKhb.id), "the head's unit queue holds the referral");
  const overdue = ok(
    await head.GET("/api/v1/inbox", { params: { query: { box: "unit", overdue: true, limit: 50 } } }),
    200,
  );
  assert(!overdue.items.some((i) => i.referral.id === toKhb.id), "nothing is overdue without a due date");
  const one = ok(await head.GET("/api/v1/inbox", { params: { query: { box: "unit", limit: 1 } } }), 200);
  assert(one.items.length <= 1, "limit");
  await new Promise((resolve) => setTimeout(resolve, 1100)); // it waits a little before it is opened
  const received = ok(
    await head.POST("/api/v1/referrals/{id}/receive", {
      params: { path: { id: toKhb.id } },
      body: { expected_version: toKhb.version },
    }),
    200,
  );
  assert(received.status === "received" && received.received_by, "received by the head");
  const forwarded = ok(
    await head.POST("/api/v1/referrals/{id}/forward", {
      params: { path: { id: toKhb.id } },
      body: {
        targets: [{ unit_id: unit("KHB"), user_id: employee.id, purpose: "action", instructions: "نأمل الدراسة والرفع" }],
        expected_version: received.version,
      },
    }),
    200,
  );
  const toEmp = forwarded.referrals[0];
  assert(toEmp && toEmp.parent_referral_id === toKhb.id, "forwarded from the head's referral");
  assert(toEmp.to_user?.username === "khb.employee1", "to the employee");
  step(`khb.head received referral ${toKhb.id} and forwarded it to khb.employee1 (referral ${toEmp.id})`);

  // -- the employee, now the holder, receives and completes it --------------------------------------------------
  const emp = await signIn("khb.employee1");
  const heldBox = async () =>
    ok(await emp.GET("/api/v1/inbox", { params: { query: { box: "held", limit: 50 } } }), 200).items.map(
      (i) => i.referral.id,
    );
  assert((await heldBox()).includes(toEmp.id), "the employee holds it");
  const empReceived = ok(
    await emp.POST("/api/v1/referrals/{id}/receive", { params: { path: { id: toEmp.id } }, body: {} }),
    200,
  );
  const done = ok(
    await emp.POST("/api/v1/referrals/{id}/complete", {
      params: { path: { id: toEmp.id } },
      body: { note: "أُرسلت البيانات", expected_version: empReceived.version },
    }),
    200,
  );
  assert(done.outcome === "completed" && done.status === "completed", "completed");
  assert(!(await heldBox()).includes(toEmp.id), "a completed referral leaves the held box");
  step(`khb.employee1 received and completed referral ${toEmp.id}`);

  // -- the registry closes the transaction; closing again is a declared conflict --------------------------------
  const closeIt = (note: string) =>
    clerk.POST("/api/v1/transactions/{id}/close", { params: { path: { id: tx.id } }, body: { note } });
  const closed = ok(await closeIt("أُنجز الطلب"), 200);
  assert(closed.status === "closed" && closed.resolution === "أُنجز الطلب", "closed with its resolution");
  problem(await closeIt("مرة أخرى"), 409, "transaction_closed");
  step(`closed transaction ${tx.id}`);

  // -- tracking: timeline, route, location, dwell ----------------------------------------------------------------
  const path = { params: { path: { id: tx.id } } };
  const events = ok(await head.GET("/api/v1/transactions/{id}/timeline", path), 200);
  const kinds = events.map((e) => e.kind);
  const wanted: Schemas["EventKind"][] = [
    "registered", "referred", "referred", "document_added", "received", "forwarded", "referred", "received",
    "completed", "closed",
  ];
  let at = 0;
  for (const kind of kinds) if (kind === wanted[at]) at++;
  assert(at === wanted.length, `timeline ${kinds.join(",")} has ${wanted.join(",")} in order`);
  assert(events[0]?.details["registration_number"] === tx.registration_number, "the first event numbers it");
  const tree = ok(await clerk.GET("/api/v1/transactions/{id}/route", path), 200);
  assert(tree.roots.map((n) => n.referral.id).join() === [toKhb.id, toHr.id].join(), "two branches");
  assert(tree.roots[0]?.children[0]?.referral.id === toEmp.id, "the employee under the head");
  const where = ok(await clerk.GET("/api/v1/transactions/{id}/location", path), 200);
  assert(where.status === "closed" && where.open_referrals.length === 0, "nothing open");
  const report = ok(await clerk.GET("/api/v1/transactions/{id}/dwell", path), 200);
  const khbDwell = report.referrals.find((r) => r.id === toKhb.id)?.dwell;
  assert(khbDwell && khbDwell.waiting.wall_clock_seconds >= 1 && !khbDwell.running, "the head's referral waited");
  for (const r of report.referrals) {
    const d = r.dwell;
    assert(d.total.wall_clock_seconds === d.waiting.wall_clock_seconds + d.working.wall_clock_seconds, `dwell ${r.id}`);
  }
  const holders = new Set(report.per_user.map((t) => t.user?.username));
  assert(holders.has("khb.head") && holders.has("khb.employee1"), `dwell per user: ${[...holders].join(",")}`);
  const who = [...holders].sort().join(", ");
  step(`timeline of ${events.length} events, route of ${tree.roots.length} branches, dwell for ${who}`);

  // -- inbox filters after the close: the head's sent box, closed and urgent ------------------------------------
  const sent = ok(
    await head.GET("/api/v1/inbox", {
      params: { query: { box: "sent", status: "closed", priority: "urgent", limit: 20 } },
    }),
    200,
  );
  assert(sent.items.some((i) => i.referral.id === toEmp.id), "the head's sent box has the forwarded referral");
  assert(sent.items.every((i) => i.transaction.status === "closed" && i.transaction.priority === "urgent"), "filtered");
  const normal = ok(
    await head.GET("/api/v1/inbox", { params: { query: { box: "sent", priority: "normal", limit: 20 } } }),
    200,
  );
  assert(!normal.items.some((i) => i.referral.id === toEmp.id), "the priority filter");
  step("inbox filters: box, status, priority, overdue, limit");

  // -- an agency: client credentials, a letter with its document, the registry registers it ---------------------
  const grant = ok(
    await anonymous.POST("/api/v1/oauth/token", {
      body: {
        grant_type: "client_credentials",
        client_id: env("MUAMALAT_AGENCY_CLIENT_ID"),
        client_secret: env("MUAMALAT_AGENCY_CLIENT_SECRET"),
        scope: "submit read_submissions",
      },
      // The document declares application/x-www-form-urlencoded; openapi-fetch encodes so with this header.
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    }),
    200,
  );
  assert(grant.token_type.toLowerCase() === "bearer", "a bearer token");
  assert(grant.scope.split(" ").sort().join() === "read_submissions,submit", `scopes ${grant.scope}`);
  const agency = client(grant.access_token);
  problem(await agency.GET("/api/v1/inbox"), 401, "invalid_token");
  const withDocument: Schemas["NewSubmissionForm"] = {
    letter: { subject: `تعميم بشأن اشتراطات البناء (${tag})`, sender_reference: `MOMAH-${tag}` },
    file: [new Blob([PDF], { type: "application/pdf" })],
  };
  const submitted = ok(
    await agency.POST("/api/v1/agency/submissions", {
      body: withDocument,
      bodySerializer: (body) => multipart(body, { file: "letter.pdf" }),
    }),
    201,
  );
  assert(submitted.status === "pending" && submitted.documents.length === 1, "pending, with its document");
  const annex: Schemas["SubmissionDocumentForm"] = {
    title: "مرفق",
    file: new Blob([Buffer.from(`مرفق الخطاب ${tag}\n`)], { type: "text/plain" }),
  };
  const annexed = ok(
    await agency.POST("/api/v1/agency/submissions/{id}/documents", {
      params: { path: { id: submitted.id } },
      body: annex,
      bodySerializer: (body) => multipart(body, { file: "annex.txt" }),
    }),
    201,
  );
  assert(annexed.documents.length === 2, "the annex follows the letter");
  const alone = ok(
    await agency.POST("/api/v1/agency/submissions", {
      body: { subject: `طلب إفادة (${tag})`, sender_reference: `MOMAH-${tag}-2`, priority: "normal" },
    }),
    201,
  );
  const mine = ok(await agency.GET("/api/v1/agency/submissions", { params: { query: { limit: 10 } } }), 200);
  assert([submitted.id, alone.id].every((id) => mine.items.some((s) => s.id === id)), "the agency lists its own");
  const pending = ok(await clerk.GET("/api/v1/intake", { params: { query: { limit: 200 } } }), 200);
  assert(pending.items.some((s) => s.id === submitted.id), "the intake queue has it");
  const seen = ok(await clerk.GET("/api/v1/intake/{id}", { params: { path: { id: submitted.id } } }), 200);
  assert(seen.documents.length === 2, "the letter and its annex");
  const letterPdf = seen.documents.find((d) => d.file_name === "letter.pdf");
  assert(letterPdf && letterPdf.sha256 === digest && letterPdf.media_type === "application/pdf", "the letter's PDF");
  const read = await clerk.GET("/api/v1/intake/{id}/documents/{document}/content", {
    params: { path: { id: submitted.id, document: letterPdf.id } },
    parseAs: "arrayBuffer",
  });
  assert(Buffer.from(ok(read, 200)).equals(PDF), "the clerk reads the document the agency sent");
  const registration = ok(
    await clerk.POST("/api/v1/intake/{id}/register", {
      params: { path: { id: submitted.id } },
      body: { referrals: [{ unit_id: unit("KHB"), purpose: "information" }], expected_version: seen.version },
    }),
    201,
  );
  const number = registration.transaction.registration_number;
  const status = ok(
    await agency.GET("/api/v1/agency/submissions/{id}", { params: { path: { id: submitted.id } } }),
    200,
  );
  assert(status.status === "registered" && status.registration_number === number, "the agency reads its number");
  step(`agency submission ${submitted.id} registered as ${number}; the agency reads it back`);

  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  step(`${contract.checked} answers matched the document (${contract.operations.size} operations) in ${seconds} s`);
}

main().catch((e: unknown) => {
  if (e instanceof ContractViolation) console.error(`[typescript] CONTRACT VIOLATION: ${e.message}`);
  else console.error(`[typescript] FAILED:`, e);
  process.exit(1);
});
