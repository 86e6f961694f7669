/**
 * `/voucher` (issue 17): shop vouchers buyers type at the confirm step.
 *
 *   /voucher add <CODE> <10%|5000> [min=<rupiah>] [max=<rupiah>] [uses=<n>] [per_buyer=<n>]
 *                [until=<YYYY-MM-DD>] [only=<code,…|category>] [allow_loss]
 *   /voucher list            every voucher with its uses
 *   /voucher off <CODE>      no new uses (orders holding it keep it)
 *   /voucher <CODE>          one voucher: terms and uses so far
 *
 * `add` on an existing code changes its terms; its uses so far stay. `until` is the end of that
 * day in Jakarta (WIB).
 */
import { z } from "zod";
import { msg, type Msg } from "../../core/message.js";
import { formatRupiah, parseRupiahAmount } from "../../core/money.js";
import { categoryIds } from "../../providers/types.js";
import type { Voucher, VoucherState } from "../../commerce/vouchers.js";
import { formatDateTime } from "../format.js";
import { answer } from "./answer.js";
import { productCode, words } from "./args.js";
import { defineAdminCommand } from "./command.js";
import { knownProduct } from "./known-product.js";

const voucherCode = z
  .string()
  .transform((text) => text.toUpperCase())
  .pipe(z.string().regex(/^[A-Z0-9_-]{3,32}$/));

/** `10%` (1–100 %) or a rupiah amount off. */
const voucherValue = z.string().transform((text, ctx): Pick<Voucher, "kind" | "value"> => {
  const percent = /^(\d{1,3}(?:[.,]\d{1,2})?)%$/.exec(text);
  if (percent) {
    const value = Number(percent[1]!.replace(",", "."));
    if (value > 0 && value <= 100) return { kind: "percent", value };
  } else {
    const amount = parseRupiahAmount(text);
    if (amount !== null && amount <= 100_000_000) return { kind: "flat", value: amount };
  }
  ctx.addIssue({ code: "custom", message: "not a voucher value" });
  return z.NEVER;
});

const rupiah = z.string().transform((text) => parseRupiahAmount(text)).pipe(z.number().int().positive().max(1_000_000_000));
const countOf = z.string().regex(/^\d{1,6}$/).transform(Number).pipe(z.number().int().positive());
const jakartaOffsetMs = 7 * 60 * 60_000;
/** `YYYY-MM-DD` → the last millisecond of that day in Jakarta. */
const untilDate = z.string().transform((text, ctx) => {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const end = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59, 999) - jakartaOffsetMs : Number.NaN;
  if (!match || !Number.isFinite(end) || new Date(end + jakartaOffsetMs).getUTCDate() !== Number(match[3])) {
    ctx.addIssue({ code: "custom", message: "not a date" });
    return z.NEVER;
  }
  return end;
});
const onlyList = z.string().transform((text, ctx): NonNullable<Voucher["only"]> => {
  const category = z.enum(categoryIds).safeParse(text.toLowerCase());
  if (category.success) return { category: category.data };
  const codes = text.split(",").filter((part) => part.length > 0).map((part) => productCode.safeParse(part));
  if (codes.length > 0 && codes.every((code) => code.success)) return { codes: codes.map((code) => code.data!) };
  ctx.addIssue({ code: "custom", message: "not product codes or a category" });
  return z.NEVER;
});

/** The options after the value, each at most once. */
type Options = Partial<Pick<Voucher, "min" | "max" | "uses" | "perBuyer" | "until" | "only">> & { allowLoss?: boolean };

const options = z.array(z.string()).transform((parts, ctx): Options => {
  const read: Options = {};
  const seen = new Set<string>();
  for (const part of parts) {
    const [name, value] = part.includes("=") ? [part.slice(0, part.indexOf("=")).toLowerCase(), part.slice(part.indexOf("=") + 1)] : [part.toLowerCase(), ""];
    if (seen.has(name)) ctx.addIssue({ code: "custom", message: `${name} twice` });
    seen.add(name);
    const parsed = (() => {
      switch (name) {
        case "min":
          return rupiah.safeParse(value);
        case "max":
          return rupiah.safeParse(value);
        case "uses":
          return countOf.safeParse(value);
        case "per_buyer":
          return countOf.safeParse(value);
        case "until":
          return untilDate.safeParse(value);
        case "only":
          return onlyList.safeParse(value);
        case "allow_loss":
          return value === "" ? { success: true as const, data: true } : { success: false as const };
        default:
          return { success: false as const };
      }
    })();
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: `bad option ${name}` });
      return z.NEVER;
    }
    const key = ({ min: "min", max: "max", uses: "uses", per_buyer: "perBuyer", until: "until", only: "only", allow_loss: "allowLoss" } as const)[name as "min"];
    Object.assign(read, { [key]: parsed.data });
  }
  return read;
});

type Action =
  | { kind: "list" }
  | { kind: "show"; code: string }
  | { kind: "off"; code: string }
  | { kind: "add"; code: string; value: Pick<Voucher, "kind" | "value">; options: Options };

const action = z.array(z.string()).transform((parts, ctx): Action => {
  const verb = parts[0]?.toLowerCase();
  const fail = () => {
    ctx.addIssue({ code: "custom", message: "not a voucher command" });
    return z.NEVER;
  };
  if (parts.length === 0 || (verb === "list" && parts.length === 1)) return { kind: "list" };
  if (verb === "off" && parts.length === 2) {
    const code = voucherCode.safeParse(parts[1]);
    return code.success ? { kind: "off", code: code.data } : fail();
  }
  if (verb === "add" && parts.length >= 3) {
    const code = voucherCode.safeParse(parts[1]);
    const value = voucherValue.safeParse(parts[2]);
    const rest = options.safeParse(parts.slice(3));
    return code.success && value.success && rest.success ? { kind: "add", code: code.data, value: value.data, options: rest.data } : fail();
  }
  if (parts.length === 1 && verb !== "add" && verb !== "off") {
    const code = voucherCode.safeParse(parts[0]);
    return code.success ? { kind: "show", code: code.data } : fail();
  }
  return fail();
});

export const voucherCommand = defineAdminCommand({
  name: "voucher",
  args: words.pipe(action).transform((parsed) => ({ action: parsed })),
  usage: msg("admin-usage-voucher"),
  run: async ({ action }, { services, actor }) => {
    const { vouchers } = services.pricing;
    switch (action.kind) {
      case "list": {
        const all = await vouchers.list();
        if (all.length === 0) return answer("shown", msg("admin-voucher-empty"));
        return answer("shown", msg("admin-voucher-list-title"), ...all.map(voucherLine));
      }
      case "show": {
        const state = await vouchers.get(action.code);
        if (!state) return answer("not_found", msg("admin-voucher-unknown", { code: action.code }));
        return answer("shown", voucherLine(state), ...termLines(state.voucher));
      }
      case "off": {
        const done = await vouchers.setOff(action.code);
        return done ? answer("off", msg("admin-voucher-off", { code: action.code })) : answer("not_found", msg("admin-voucher-unknown", { code: action.code }));
      }
      case "add": {
        const unknown = action.options.only && "codes" in action.options.only ? action.options.only.codes.filter((code) => !knownProduct(services, code)) : [];
        if (unknown.length > 0) return answer("unknown_product", msg("admin-product-unknown", { code: unknown.join(", ") }));
        if (action.options.max !== undefined && action.value.kind === "flat") return answer("invalid", msg("admin-voucher-max-flat"));
        const voucher: Voucher = { code: action.code, ...action.value, ...action.options, allowLoss: action.options.allowLoss ?? false, createdAt: Date.now(), by: actor.id };
        const created = await vouchers.save(voucher);
        return answer(created ? "added" : "changed", msg(created ? "admin-voucher-added" : "admin-voucher-changed", { code: voucher.code }), ...termLines(voucher));
      }
    }
  },
});

function valueText(voucher: Voucher): string {
  return voucher.kind === "percent" ? `${voucher.value}%` : formatRupiah(voucher.value);
}

function voucherLine(state: VoucherState): Msg {
  const { voucher } = state;
  return msg("admin-voucher-line", {
    code: voucher.code,
    value: valueText(voucher),
    used: state.redeemed,
    held: state.held,
    limit: voucher.uses ?? "∞",
    state: msg(state.off ? "admin-voucher-state-off" : voucher.until !== undefined && Date.now() > voucher.until ? "admin-voucher-state-expired" : "admin-voucher-state-on"),
  });
}

function termLines(voucher: Voucher): Msg[] {
  const lines: Msg[] = [msg("admin-voucher-terms-value", { value: valueText(voucher) })];
  if (voucher.min !== undefined) lines.push(msg("admin-voucher-terms-min", { min: formatRupiah(voucher.min) }));
  if (voucher.max !== undefined) lines.push(msg("admin-voucher-terms-max", { max: formatRupiah(voucher.max) }));
  if (voucher.uses !== undefined) lines.push(msg("admin-voucher-terms-uses", { uses: voucher.uses }));
  if (voucher.perBuyer !== undefined) lines.push(msg("admin-voucher-terms-per-buyer", { uses: voucher.perBuyer }));
  if (voucher.until !== undefined) lines.push(msg("admin-voucher-terms-until", { until: formatDateTime(voucher.until) }));
  if (voucher.only) lines.push(msg("admin-voucher-terms-only", { only: "codes" in voucher.only ? voucher.only.codes.join(", ") : voucher.only.category }));
  if (voucher.allowLoss) lines.push(msg("admin-voucher-terms-allow-loss"));
  return lines;
}
