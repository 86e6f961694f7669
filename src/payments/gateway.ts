/**
 * The contract of a QRIS gateway module (Midtrans, Tripay, Pakasir): a payment processor that
 * issues a QRIS for one payment of ours and tells us, by a notification and by its status API,
 * when the money arrived. The owner's QRIS payment method (`methods/owner-qris.ts`) tries the
 * gateways in `QRIS_GATEWAYS` order and falls over to the next when one cannot issue a QR.
 *
 * A gateway module only speaks its API: it never moves money, never trusts a notification and
 * never decides what a payment is worth. `readNotification` authenticates the notification (or,
 * where the gateway signs nothing, only parses it) and says which payment it names; the payment
 * service then asks `status` before any money moves, and checks order id, amount and currency
 * against its own record.
 *
 * Adding a gateway is one file in `payments/gateways/` plus one line in
 * `payments/gateways/registry.ts`; `QRIS_GATEWAYS` then accepts its id, and its notifications
 * are served at `POST /payments/<id>`.
 *
 * @example
 * export const acmePayModule = defineQrisGateway({
 *   id: "acmepay",
 *   env: z.object({ ACMEPAY_KEY: optionalText, ACMEPAY_BASE_URL: urlText("https://api.acmepay.id") }),
 *   examples: { ACMEPAY_KEY: "your-server-key" },
 *   problems: (env) => requiredWhenListed(env, ["ACMEPAY_KEY"], "acmepay", acmePayModule.examples),
 *   create: (env, shared) => new AcmePayGateway({ ...shared, key: env.ACMEPAY_KEY!, baseUrl: env.ACMEPAY_BASE_URL }),
 * });
 */
import type { Logger } from "pino";
import type { z } from "zod";
import { parseEnvSlice, type EnvProblem } from "../core/env.js";
import type { RouteRequest, RouteResponse } from "../core/http.js";
import type { Rupiah } from "../core/money.js";
import type { HttpTransport } from "../providers/http.js";

/** A gateway's id, as `QRIS_GATEWAYS` names it and as a payment records which one served it. */
export type GatewayId = string;

/** What the shop asks a gateway to charge. */
export interface ChargeRequest {
  /** Our payment id (`ORD-…` or `TOP-…`): the gateway's order id / merchant ref, once per payment. */
  paymentId: string;
  /** What the shop asks for, in rupiah, before any fee the gateway adds for the payer. */
  amount: Rupiah;
  /** When our payment expires (ms since the epoch); the gateway's QR should not outlive it. */
  expiresAt: number;
  /** One line naming what is paid for (a product name, "Top up saldo"), for the gateway's order items. */
  itemName: string;
}

/** A charge the gateway made: the QR to show and what it will ask of the payer. */
export interface GatewayCharge {
  /** The gateway's own transaction id (Midtrans `transaction_id`, Tripay `reference`; our id where it has none). */
  transactionId: string;
  /** The QRIS text, rendered into our own PNG. */
  qrString: string;
  /** What the payer is asked to pay: `amount`, plus the payer's fee when the gateway adds one. */
  total: Rupiah;
  /** The gateway's fee for this payment as far as the create answer says (0 when it does not). */
  fee: Rupiah;
  /** True when `total` includes `fee` (the payer pays it); false when the merchant pays it. */
  feeOnPayer: boolean;
  /**
   * The merchant's part of a split fee, beyond the payer's `fee` (Tripay can charge both:
   * `fee_customer` to the payer, `fee_merchant` to us). Always the shop's cost. Omitted when 0.
   */
  merchantFee?: Rupiah;
  /** When the gateway expires the QR (ms); at most our payment's `expiresAt` where the API takes an expiry. */
  expiresAt: number;
}

/** What the shop remembers of a charge, enough to ask the gateway about it again. */
export interface ChargeRef {
  paymentId: string;
  transactionId: string;
  /** The charge's `total` (Pakasir's status call names the amount). */
  total: Rupiah;
  /**
   * What the shop asked for (`ChargeRequest.amount`, before the payer's fee). Pakasir finds a
   * transaction by order id and this amount, not by `total`; without it Pakasir is asked with
   * `total`, which finds the charge only when its fee was 0.
   */
  amount?: Rupiah;
}

/** A transaction's state, in the shop's words. */
export type GatewayState = "pending" | "paid" | "expired" | "cancelled" | "failed" | "refunded";

/** What the gateway's status API says of a charge. */
export interface GatewayStatus {
  state: GatewayState;
  /** Our payment id, as the gateway states it (checked against the payment asked about). */
  paymentId: string;
  transactionId: string;
  /** The gross amount of the transaction, whole rupiah (decimals like `"5539.00"` already read). */
  amount: Rupiah;
  /** ISO 4217 code as the gateway states it; `IDR` when the API states none. */
  currency: string;
  /** When it was paid (ms), when the gateway says. */
  paidAt?: number;
}

/**
 * What a hint says happened, as far as the module can tell from the notification: `paid` (money
 * arrived: Midtrans `settlement`/accepted `capture`, Tripay `PAID`, Pakasir `completed`) or
 * `ended` (the charge expired, was cancelled, failed or refunded). A status that contradicts a
 * `paid` claim marks the notification as forged; an `ended` claim for a charge we do not hold is
 * an abandoned charge, acknowledged without an alert.
 */
export type HintClaim = "paid" | "ended";

/**
 * What a notification turned out to be. Only a `hint` leads anywhere, and only to a status call.
 * `ignored`: authentic, but nothing to do (a `pending` notice, a non-payment event); the gateway
 * is answered success so it stops retrying. `rejected`: forged, unsigned, malformed or for
 * another merchant; nothing moves and the admins are told.
 */
export type NotificationCheck =
  | {
      kind: "hint";
      paymentId: string;
      transactionId?: string;
      /** The total the notification claims the payer paid, the payer's fee included (checked against the charge's total). */
      amount?: Rupiah;
      /**
       * The amount the notification claims before the payer's fee, for a gateway that states only
       * that (Pakasir's webhook `amount`): checked against what the shop asked, not the total.
       */
      askedAmount?: Rupiah;
      /** What the notification claims happened (see {@link HintClaim}); absent: unknown, treated as neither. */
      claims?: HintClaim;
    }
  | { kind: "ignored"; reason: string }
  | { kind: "rejected"; reason: "unsigned" | "bad_signature" | "malformed" | "wrong_merchant" };

/** Why a gateway call failed. `unavailable`: timeout, network, 5xx, 429. `refused`: the gateway said no (4xx, `success: false`). `malformed`: an answer we cannot read. */
export type GatewayFailure = "unavailable" | "refused" | "malformed";

/**
 * A failed gateway call. The message is for logs and admins: never a credential, never the raw
 * answer body (it may echo one).
 */
export class GatewayError extends Error {
  constructor(
    readonly gateway: GatewayId,
    readonly failure: GatewayFailure,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(`${gateway}: ${message}`);
    this.name = "GatewayError";
  }
}

/**
 * How a status call is made. `once`: no retries inside the call (a poll's next run, or the
 * gateway's own retry of its notification, is the retry), so a down gateway costs one timeout,
 * not four.
 */
export interface StatusOptions {
  once?: boolean;
}

/** A gateway, built: what the payment service calls. Every method throws {@link GatewayError} on failure. */
export interface QrisGateway {
  readonly id: GatewayId;
  /** Creates one charge for one payment of ours. Never retried by the caller with the same id. */
  create(request: ChargeRequest): Promise<GatewayCharge>;
  /** Asks the gateway's status API about a charge (safe to repeat); see {@link StatusOptions}. */
  status(charge: ChargeRef, options?: StatusOptions): Promise<GatewayStatus>;
  /**
   * Cancels or expires a pending charge, so a late scan fails at the payer's app. `unsupported`
   * when the API has no such call; `final` when the charge is no longer pending (paid meanwhile:
   * the caller then checks the status).
   */
  cancel(charge: ChargeRef): Promise<"cancelled" | "final" | "unsupported">;
  /** Authenticates and reads a notification posted to `POST /payments/<id>`. Pure: no I/O. */
  readNotification(request: RouteRequest): NotificationCheck;
  /** How the gateway wants a handled notification answered (Tripay: `{"success": true}`). */
  readonly acknowledgement: RouteResponse;
}

/** What every gateway gets from the shop. */
export interface GatewayShared {
  logger: Logger;
  /** Time one gateway call may take. */
  timeoutMs: number;
  /** Delays between retries of safe (read) calls; tests shorten them. */
  retryDelaysMs?: readonly number[];
  /** Injected for tests; defaults to the global fetch. Wins over `transport`. */
  fetch?: typeof fetch;
  /**
   * What carries the gateway's calls (the composition root passes one keep-alive transport, so a
   * burst of notifications reuses a few connections); defaults to the global fetch.
   */
  transport?: HttpTransport;
}

export interface QrisGatewayModule<Env> {
  readonly id: GatewayId;
  /** The module's environment variables; every one of them is documented in `.env.example`. */
  readonly env: z.ZodType<Env>;
  /** An example value per variable, shown when the variable is wrong. */
  readonly examples: Readonly<Record<string, string>>;
  /** What a listed gateway still lacks (its credentials), beyond what the schema says. */
  problems?(env: Env): EnvProblem[];
  create(env: Env, shared: GatewayShared): QrisGateway;
}

/** A module as the registry holds it: its variable types hidden behind `read`. */
export interface RegisteredGatewayModule {
  readonly id: GatewayId;
  readonly examples: Readonly<Record<string, string>>;
  /** Reads the module's variables (called only when `QRIS_GATEWAYS` lists it): problems, or a builder. */
  read(env: Record<string, string | undefined>): { problems: EnvProblem[]; create: ((shared: GatewayShared) => QrisGateway) | null };
}

/** Registers a gateway module; the env type is inferred from its schema and stays inside. */
export function defineQrisGateway<Env>(module: QrisGatewayModule<Env>): RegisteredGatewayModule {
  return {
    id: module.id,
    examples: module.examples,
    read(rawEnv) {
      const parsed = parseEnvSlice(module.env, rawEnv, module.examples);
      if (!parsed.ok) return { problems: parsed.problems, create: null };
      const env = parsed.value;
      const problems = module.problems?.(env) ?? [];
      if (problems.length > 0) return { problems, create: null };
      return { problems, create: (shared) => module.create(env, shared) };
    },
  };
}

/** Names each variable in `required` that is unset, as "is required when QRIS_GATEWAYS includes <id>". */
export function requiredWhenListed<Env extends Record<string, unknown>>(
  env: Env,
  required: readonly (keyof Env & string)[],
  gateway: GatewayId,
  examples: Readonly<Record<string, string>>,
): EnvProblem[] {
  return required
    .filter((variable) => env[variable] === undefined)
    .map((variable) => ({
      variable,
      problem: `is required when QRIS_GATEWAYS includes ${gateway}`,
      ...(examples[variable] ? { example: examples[variable] } : {}),
    }));
}
