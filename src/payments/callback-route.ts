/**
 * `POST /payments/callback`: a gateway or a mutation checker reports money that arrived.
 *
 * Authenticated by `X-Signature` = hex HMAC-SHA256 of the raw body with
 * `PAYMENT_CALLBACK_SECRET`, compared in constant time. Unsigned, wrongly signed, malformed or
 * stale (`paidAt` over a day old) callbacks get 4xx and change nothing. Every callback names its
 * `reference`, which does something once, ever: a captured body replayed later (against a newer
 * payment of the same total) is answered 409; a retry whose first call died part-way finishes the
 * work (200 `completed`) instead.
 */
import { createHmac } from "node:crypto";
import { z } from "zod";
import { fail, type RouteHandler } from "../core/http.js";
import { sameHexDigest } from "./hex-digest.js";
import type { PaymentService } from "./payment-service.js";

/** A report older than this is refused: a gateway retries for hours, not days. */
export const maxCallbackAgeMs = 24 * 3_600_000;

/** `paidAt` as ISO text, or a Unix time in seconds or milliseconds. */
const paidAtSchema = z
  .union([z.string().min(1).max(64), z.number().positive()])
  .transform((value) => (typeof value === "number" ? (value < 1e12 ? value * 1000 : value) : Date.parse(value)))
  .refine((at) => Number.isFinite(at), "not a date");

const callbackSchema = z.object({
  amount: z.number().int().positive().max(1_000_000_000),
  reference: z.string().trim().min(1).max(128),
  paidAt: paidAtSchema,
});

/** Hex HMAC-SHA256 of `body` under `secret`. */
export function signCallback(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("hex");
}

/** Constant-time check of a hex signature; false for anything malformed. */
export function verifySignature(secret: string, body: string, signature: string | undefined): boolean {
  return sameHexDigest(signCallback(secret, body), signature);
}

export interface CallbackRouteOptions {
  secret: string;
  payments: PaymentService;
  /** Told about every rejected callback (bad signature and the like), for the admins. */
  onRejected?: (reason: string) => Promise<void>;
}

export function paymentCallbackRoute({ secret, payments, onRejected }: CallbackRouteOptions): RouteHandler {
  return async ({ headers, rawBody }) => {
    if (!verifySignature(secret, rawBody, headers["x-signature"])) {
      await onRejected?.("bad signature");
      return fail(401, "bad signature");
    }
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      return fail(400, "body is not JSON");
    }
    const parsed = callbackSchema.safeParse(json);
    if (!parsed.success) return fail(400, `invalid callback: ${parsed.error.issues.map((i) => i.path.join(".") || "body").join(", ")}`);
    const { amount, reference, paidAt } = parsed.data;
    if (Date.now() - paidAt > maxCallbackAgeMs) {
      await onRejected?.("paidAt is over a day old");
      return fail(400, "paidAt is over a day old");
    }
    const result = await payments.receive(amount, reference);
    switch (result.kind) {
      case "confirmed":
      case "already_paid":
      case "late":
      case "extra":
        return { status: 200, body: { ok: true, result: result.kind, id: result.payment.id } };
      case "repeated":
        if (result.finished) return { status: 200, body: { ok: true, result: "completed", id: result.id } };
        return fail(409, "reference already processed");
      case "underpaid":
        return { status: 202, body: { ok: true, result: "underpaid", id: result.payment.id } };
      case "unmatched":
      case "not_found":
        return { status: 202, body: { ok: true, result: "unmatched" } };
    }
  };
}
