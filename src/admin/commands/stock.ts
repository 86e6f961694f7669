/**
 * `/stock …`: the shop's own products and their items (accounts, vouchers, codes), sold one per
 * unit and never oversold (see `providers/ownstock/`).
 *
 *   /stock                              every product: available / reserved / sold
 *   /stock <CODE>                       one product in detail
 *   /stock new <CODE> <price> <name…>   a product, in the category "Produk toko"
 *   /stock add <CODE>                   then one item per line in the same message, or as the
 *                                       caption of a `.txt`/`.csv` document (Telegram, WhatsApp)
 *   /stock remove <CODE> <n|all>        drop unsold items (newest first)
 *   /stock price|cost <CODE> <price>    sell price; our cost per unit (for /stats, default 0)
 *   /stock desc <CODE> <text>           terms shown to buyers before paying
 *   /stock warranty <CODE> <days>       /garansi window (0 = none)
 *   /stock alert <CODE> <n>             low-stock threshold (0 = off)
 *   /stock off|on <CODE>                hide from / show to buyers
 *   /stock category <CODE> <name>       a shop category id (app, game, …) or a heading under "Produk toko"
 *
 * Items are secrets: the answer gives counts only, and the audit log keeps the sub-command, the
 * code and a count, never an item (see {@link stockAuditArgs}).
 */
import { z } from "zod";
import { msg, type Msg } from "../../core/message.js";
import { formatRupiah, parseRupiahAmount } from "../../core/money.js";
import { asCategory, defaultStockGroup, maxItemsPerUpload, parseItemLines, type StockProductView } from "../../providers/ownstock/stock-store.js";
import { answer } from "./answer.js";
import { headAndRest, productCode } from "./args.js";
import { defineAdminCommand, type CommandContext, type CommandOutcome } from "./command.js";
import { DocumentReadError, DocumentTooLargeError, type InboundDocument } from "../../core/document.js";

const code = productCode;
const price = z
  .string()
  .transform((text) => parseRupiahAmount(text))
  .pipe(z.number().int().min(0).max(100_000_000));
const smallCount = (max: number) => z.string().regex(/^\d{1,5}$/).transform(Number).pipe(z.number().int().min(0).max(max));
const text = (max: number) => z.string().trim().min(1).max(max);

/** What `/stock` was asked to do. */
const action = z.union([
  z.tuple([z.literal(""), z.literal(""), z.literal("")]).transform(() => ({ kind: "list" as const })),
  z.tuple([code, z.literal(""), z.literal("")]).transform(([c]) => ({ kind: "show" as const, code: c })),
  z.tuple([z.literal("new"), code, z.string()]).transform(([, c, rest], ctx) => {
    const [priceText = "", name = ""] = headAndRest(rest, 1);
    const parsed = z.tuple([price.pipe(z.number().min(1)), text(100)]).safeParse([priceText, name]);
    if (!parsed.success) {
      ctx.addIssue({ code: "custom", message: "price and name" });
      return z.NEVER;
    }
    return { kind: "new" as const, code: c, price: parsed.data[0], name: parsed.data[1] };
  }),
  z.tuple([z.literal("add"), code, z.string()]).transform(([, c, rest]) => ({ kind: "add" as const, code: c, items: parseItemLines(rest) })),
  z.tuple([z.literal("remove"), code, z.union([z.literal("all"), smallCount(100_000).pipe(z.number().min(1))])]).transform(([, c, n]) => ({ kind: "remove" as const, code: c, count: n })),
  z.tuple([z.literal("price"), code, price.pipe(z.number().min(1))]).transform(([, c, p]) => ({ kind: "set" as const, code: c, patch: { price: p } })),
  z.tuple([z.literal("cost"), code, price]).transform(([, c, p]) => ({ kind: "set" as const, code: c, patch: { cost: p } })),
  z.tuple([z.literal("desc"), code, text(1_000)]).transform(([, c, d]) => ({ kind: "set" as const, code: c, patch: { description: d } })),
  z.tuple([z.literal("warranty"), code, smallCount(365)]).transform(([, c, d]) => ({ kind: "set" as const, code: c, patch: { warrantyDays: d } })),
  z.tuple([z.literal("alert"), code, smallCount(10_000)]).transform(([, c, n]) => ({ kind: "set" as const, code: c, patch: { alert: n } })),
  z.tuple([z.literal("off"), code, z.literal("")]).transform(([, c]) => ({ kind: "set" as const, code: c, patch: { off: true } })),
  z.tuple([z.literal("on"), code, z.literal("")]).transform(([, c]) => ({ kind: "set" as const, code: c, patch: { off: false } })),
  z.tuple([z.literal("category"), code, text(40)]).transform(([, c, name]) => {
    const category = asCategory(name);
    return { kind: "set" as const, code: c, patch: category ? { category, group: defaultStockGroup } : { category: "shop" as const, group: name } };
  }),
]);

/** The arguments of `/stock`, read into an {@link action}. */
const stockArgs = z
  .string()
  .transform((raw) => {
    // The sub-command word is read case-insensitively; a lone word is a product code.
    const [first = "", second = "", rest = ""] = headAndRest(raw, 2);
    return [isSubcommand(first) ? first.toLowerCase() : first, second, rest];
  })
  .pipe(action);

export const stockCommand = defineAdminCommand({
  name: "stock",
  args: stockArgs,
  usage: msg("admin-usage-stock"),
  auditArgs: stockAuditArgs,
  run: async (parsed, context) => {
    const stock = context.services.stock;
    switch (parsed.kind) {
      case "list": {
        const products = await stock.list();
        if (products.length === 0) return answer("empty", msg("admin-stock-empty"));
        return answer("listed", msg("admin-stock-list-title", { count: products.length }), ...products.map(listLine));
      }
      case "show":
        return show(parsed.code, context, "shown");
      case "new": {
        const created = await stock.create({ code: parsed.code, name: parsed.name, price: parsed.price });
        if (!created) return answer("exists", msg("admin-stock-exists", { code: parsed.code }));
        return answer("created", msg("admin-stock-created", { code: parsed.code, name: parsed.name, price: formatRupiah(parsed.price) }));
      }
      case "add": {
        if (!(await stock.store.product(parsed.code))) return answer("unknown_product", msg("admin-stock-unknown", { code: parsed.code }));
        if (!stock.store.canStore) return answer("no_key", msg("admin-stock-no-key"));
        if (context.document) {
          const read = await documentItems(context.document);
          if ("refused" in read) return read.refused;
          parsed.items.push(...read.items);
        }
        if (parsed.items.length === 0) return answer("no_items", msg("admin-stock-no-items", { code: parsed.code }));
        if (parsed.items.length > maxItemsPerUpload) return answer("too_many", msg("admin-stock-too-many", { max: maxItemsPerUpload, count: parsed.items.length }));
        const added = await stock.upload(parsed.code, parsed.items);
        return answer(
          "added",
          msg("admin-stock-added", {
            code: parsed.code,
            added: added.added,
            skipped: added.duplicates + added.sold + added.tooLong,
            duplicates: added.duplicates,
            available: added.available,
          }),
          ...(added.sold > 0 ? [msg("admin-stock-already-sold", { sold: added.sold })] : []),
          ...(added.notified > 0 ? [msg("admin-stock-waiters-told", { notified: added.notified })] : []),
        );
      }
      case "remove": {
        if (!(await stock.store.product(parsed.code))) return answer("unknown_product", msg("admin-stock-unknown", { code: parsed.code }));
        const removed = await stock.remove(parsed.code, parsed.count);
        return answer("removed", msg("admin-stock-removed", { code: parsed.code, removed: removed.removed, available: removed.available }));
      }
      case "set": {
        const updated = await stock.update(parsed.code, parsed.patch);
        if (!updated) return answer("unknown_product", msg("admin-stock-unknown", { code: parsed.code }));
        return show(parsed.code, context, "saved", [msg("admin-stock-saved", { code: parsed.code })]);
      }
    }
  },
});

/** Most bytes of an uploaded stock list: 5,000 items of up to 1,000 characters, with room for CSV quoting. */
const maxUploadBytes = 5 * 1024 * 1024;

/**
 * The items of a `.txt` or `.csv` document sent with `/stock add <CODE>` as its caption: one per
 * line (a CSV row is one item, as written), UTF-8, a byte-order mark dropped. Anything else, too
 * big, or undownloadable is refused with its own answer.
 */
async function documentItems(document: InboundDocument): Promise<{ items: string[] } | { refused: CommandOutcome }> {
  const name = document.fileName.toLowerCase();
  const textual = name.endsWith(".txt") || name.endsWith(".csv") || document.mimeType === "text/plain" || document.mimeType === "text/csv";
  if (!textual) return { refused: answer("bad_file", msg("admin-stock-bad-file")) };
  try {
    const bytes = await document.read(maxUploadBytes);
    return { items: parseItemLines(bytes.toString("utf8").replace(/^\uFEFF/, "")) };
  } catch (error) {
    if (error instanceof DocumentTooLargeError) return { refused: answer("file_too_large", msg("admin-stock-file-too-large", { max: "5 MB" })) };
    if (error instanceof DocumentReadError) return { refused: answer("file_unreadable", msg("admin-stock-file-unreadable")) };
    throw error;
  }
}

/**
 * `/stock`'s arguments as the audit log keeps them. Items are secrets and may sit anywhere after
 * the code, on the command's own line too (`/stock add NETFLIX1 a@b.c:pw1`), so an upload keeps
 * the sub-command, the code and a count; the other sub-commands carry no items and are kept as
 * typed. Text that is not a valid `/stock` (a typo, a forgotten `add`) keeps only a known
 * sub-command and a well-formed code: whatever follows may be an item.
 *
 * @example
 * stockAuditArgs("add NETFLIX1 a@b.c:pw1\nd@e.f:pw2"); // "add NETFLIX1 (+2 items)"
 * stockAuditArgs("NETFLIX1 a@b.c:pw1");                // "NETFLIX1 [hidden]"
 */
export function stockAuditArgs(raw: string): string {
  const [first = "", second = "", rest = ""] = headAndRest(raw, 2);
  const parsed = stockArgs.safeParse(raw);
  if (parsed.success) {
    if (parsed.data.kind !== "add") return raw.trim();
    return `add ${parsed.data.code} (+${parsed.data.items.length} items)`;
  }
  const hidden = (words: string[]) => (words.some((word) => word.length > 0) ? " [hidden]" : "");
  const codeOrHidden = (word: string) => (word === "" || productCode.safeParse(word).success ? word : "[hidden]");
  if (isSubcommand(first)) return `${first.toLowerCase()} ${codeOrHidden(second)}${hidden([rest])}`.trim();
  return `${codeOrHidden(first)}${hidden([second, rest])}`.trim();
}

const subcommands = new Set(["new", "add", "remove", "price", "cost", "desc", "warranty", "alert", "off", "on", "category"]);

function isSubcommand(word: string): boolean {
  return subcommands.has(word.toLowerCase());
}

function listLine(product: StockProductView): Msg {
  const line = { code: product.code, name: product.name, price: formatRupiah(product.price), available: product.available, reserved: product.reserved, sold: product.sold };
  return msg(product.off ? "admin-stock-list-line-off" : "admin-stock-list-line", line);
}

async function show(code: string, { services }: CommandContext, result: string, head: Msg[] = []): Promise<CommandOutcome> {
  const product = (await services.stock.list()).find((candidate) => candidate.code === code);
  if (!product) return answer("unknown_product", msg("admin-stock-unknown", { code }));
  return answer(
    result,
    ...head,
    msg("admin-stock-detail", {
      code: product.code,
      name: product.name,
      price: formatRupiah(product.price),
      cost: formatRupiah(product.cost),
      category: msg(`category-${product.category}`),
      group: product.group,
      available: product.available,
      reserved: product.reserved,
      sold: product.sold,
      warranty: product.warrantyDays,
      alert: product.alert,
      state: product.off ? "off" : "on",
      description: product.description ?? "-",
    }),
  );
}
