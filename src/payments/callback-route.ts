/**
 * `POST /payments/callback`: a gateway or a mutation checker reports money that arrived.
 *
 * Authenticated by `X-Signature` = hex HMAC-SHA256 of the raw body with
 * `PAYMENT_CALLBACK_SECRET`, compared in constant time. Unsigned, wrongly signed, replayed
 * (same reference twice) or malformed callbacks get 4xx and change nothing.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { fail, type RouteHandler } from "../core/http.js";
import type { PaymentService } from "./payment-service.js";

const callbackSchema = z.object({
  amount: z.number().int().positive().max(1_000_000_000),
  reference: z.string().trim().min(1).max(128).optional(),
  paidAt: z.union([z.string().min(1).max(64), z.number()]),
});

/** Hex HMAC-SHA256 of `body` under `secret`. */
export function signCallback(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("hex");
}

/** Constant-time check of a hex signature; false for anything malformed. */
export function verifySignature(secret: string, body: string, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-fA-F]{64}$/.test(signature)) return false;
  const expected = Buffer.from(signCallback(secret, body), "hex");
  return timingSafeEqual(expected, Buffer.from(signature, "hex"));
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
    const { amount, reference } = parsed.data;
    if (reference && !(await payments.rememberReference(reference))) return fail(409, "reference already processed");
    let result: Awaited<ReturnType<PaymentService["receive"]>>;
    try {
      result = await payments.receive(amount, reference);
    } catch (error) {
      // Not processed: let the gateway's retry through instead of calling it a replay.
      if (reference) await payments.forgetReference(reference);
      throw error;
    }
    switch (result.kind) {
      case "confirmed":
      case "already_paid":
      case "late":
        return { status: 200, body: { ok: true, result: result.kind, id: result.payment.id } };
      case "underpaid":
        return { status: 202, body: { ok: true, result: "underpaid", id: result.payment.id } };
      case "unmatched":
      case "not_found":
        return { status: 202, body: { ok: true, result: "unmatched" } };
    }
  };
}
