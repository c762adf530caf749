// The journey as a TypeScript receiver of the API would write it, typed by the types openapi-typescript generates
// from contracts/openapi.json (into ./planwright.ts, by tests/clients/test_generated_clients.py). tsc checks it:
// a request or answer that drifts from the contract fails the test. It is compiled, never run.
import type { components, operations } from "./planwright";

type Schemas = components["schemas"];
type Op = keyof operations;
type PathOf<O extends Op> = operations[O]["parameters"] extends { path: infer P } ? P : never;
type QueryOf<O extends Op> = operations[O]["parameters"] extends { query?: infer Q } ? Q : never;
type JsonIn<O extends Op> = operations[O] extends { requestBody: { content: { "application/json": infer B } } }
  ? B : never;
type JsonOut<O extends Op, S extends number> = operations[O]["responses"] extends {
  [K in S]: { content: { "application/json": infer R } } } ? R : never;
type Problem = Schemas["ProblemOut"];

export class PlanwrightError extends Error {
  constructor(readonly problem: Problem) {
    super(`${problem.status} ${problem.title}: ${problem.detail}`);
  }
}

export class Planwright {
  constructor(private readonly base: string, private readonly token: string) {}

  private async send(method: string, path: string, query: Record<string, string> | undefined,
                     body?: { json: unknown } | { bytes: Uint8Array<ArrayBuffer> }): Promise<Response> {
    const url = new URL(path, this.base);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    let payload: BodyInit | undefined;
    if (body && "json" in body) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body.json);
    } else if (body) {
      headers["Content-Type"] = "application/octet-stream"; // the server decides the type by the content
      payload = new Blob([body.bytes]);
    }
    const answer = await fetch(url, payload === undefined ? { method, headers } : { method, headers, body: payload });
    if (!answer.ok) throw new PlanwrightError((await answer.json()) as Problem);
    return answer;
  }

  async createBundle(body: JsonIn<"create_bundle">): Promise<JsonOut<"create_bundle", 201>> {
    return (await (await this.send("POST", "/v1/bundles", undefined, { json: body })).json()) as
      JsonOut<"create_bundle", 201>;
  }

  async uploadDocument(path: PathOf<"upload_document">, query: QueryOf<"upload_document">,
                       bytes: Uint8Array<ArrayBuffer>): Promise<JsonOut<"upload_document", 201>> {
    const answer = await this.send("POST", `/v1/bundles/${path.bundle_id}/documents`, query, { bytes });
    return (await answer.json()) as JsonOut<"upload_document", 201>;
  }

  async submit(path: PathOf<"submit_bundle">): Promise<JsonOut<"submit_bundle", 200>> {
    return (await (await this.send("POST", `/v1/bundles/${path.bundle_id}/submit`, undefined)).json()) as
      JsonOut<"submit_bundle", 200>;
  }

  async offers(): Promise<JsonOut<"list_offers", 200>> {
    return (await (await this.send("GET", "/v1/offers", undefined)).json()) as JsonOut<"list_offers", 200>;
  }

  async acceptOffer(path: PathOf<"accept_offer">): Promise<JsonOut<"accept_offer", 200>> {
    return (await (await this.send("POST", `/v1/offers/${path.offer_id}/accept`, undefined)).json()) as
      JsonOut<"accept_offer", 200>;
  }

  async uploadDraft(path: PathOf<"upload_draft">, query: QueryOf<"upload_draft">,
                    bytes: Uint8Array<ArrayBuffer>): Promise<JsonOut<"upload_draft", 201>> {
    const q: Record<string, string> = { filename: query.filename };
    if (query.hours_spent != null) q.hours_spent = String(query.hours_spent);
    const answer = await this.send("POST", `/v1/bundles/${path.bundle_id}/drafts`, q, { bytes });
    return (await answer.json()) as JsonOut<"upload_draft", 201>;
  }

  async reviewSheet(path: PathOf<"review_sheet">): Promise<JsonOut<"review_sheet", 200>> {
    return (await (await this.send("GET", `/v1/drafts/${path.draft_id}/review`, undefined)).json()) as
      JsonOut<"review_sheet", 200>;
  }

  async pass(path: PathOf<"pass_draft">, body: JsonIn<"pass_draft">): Promise<JsonOut<"pass_draft", 200>> {
    return (await (await this.send("POST", `/v1/drafts/${path.draft_id}/pass`, undefined, { json: body })).json()) as
      JsonOut<"pass_draft", 200>;
  }

  // the returned draft and the exports are bytes, whatever their type
  async deliveredDraft(path: PathOf<"download_delivered">): Promise<ArrayBuffer> {
    return (await this.send("GET", `/v1/bundles/${path.bundle_id}/delivered-draft`, undefined)).arrayBuffer();
  }

  async invoice(path: PathOf<"invoice">, query: QueryOf<"invoice">): Promise<ArrayBuffer> {
    const q: Record<string, string> = query?.format ? { format: query.format } : {};
    return (await this.send("GET", `/v1/billing/months/${path.month}/invoices/${path.la_id}`, q)).arrayBuffer();
  }
}

export async function journey(la: Planwright, writer: Planwright, reviewer: Planwright, finance: Planwright,
                              laId: string, advice: Uint8Array<ArrayBuffer>,
                              draftDocx: Uint8Array<ArrayBuffer>): Promise<ArrayBuffer[]> {
  // openapi-typescript types a field with a default as present (its --default-non-nullable): give each its default
  const bundle = await la.createBundle({ reference: "GEN-TS-1", work_type: "new_plan", tier: "standard",
                                         statutory_due: null, duplicate_reference: false });
  const document: Schemas["DocumentOut"] = await la.uploadDocument({ bundle_id: bundle.id }, { filename: "ep.pdf" },
                                                                   advice);
  console.log(document.kind, document.sha256);
  await la.submit({ bundle_id: bundle.id });
  const offer = (await writer.offers()).items.find((o) => o.bundle_id === bundle.id);
  if (offer === undefined) throw new Error("no offer yet");
  await writer.acceptOffer({ offer_id: offer.id });
  const draft = await writer.uploadDraft({ bundle_id: bundle.id }, { filename: "draft.docx", hours_spent: 6.5 }, draftDocx);
  const sheet = await reviewer.reviewSheet({ draft_id: draft.id });
  const checklist: Record<string, boolean> = {};
  for (const item of sheet.manual_items) checklist[item.key] = true;
  const passed = await reviewer.pass({ draft_id: draft.id }, { checklist });
  console.log(passed.status);
  const month = bundle.created_at.slice(0, 7);
  return [
    await la.deliveredDraft({ bundle_id: bundle.id }),
    await finance.invoice({ month, la_id: laId }, { format: "csv" }),
    await finance.invoice({ month, la_id: laId }, { format: "xlsx" }),
  ];
}
