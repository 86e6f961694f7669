/**
 * The shop's catalog: the products of every enabled provider merged into categories, with sell
 * prices. A {@link CatalogView} is built once per refresh and read by every message, so the hot
 * path does no I/O and no sorting.
 */
import type { CategoryId, ProviderProduct } from "../providers/types.js";
import { categoryIds } from "../providers/types.js";
import type { Rupiah } from "../core/money.js";
import { resolveMarkup, sellPrice, type MarkupRules } from "./pricing.js";

/** A product as the shop sells it. */
export interface CatalogItem extends ProviderProduct {
  /** Unique code buyers can type; also the key in sessions and orders. */
  code: string;
  /** What the buyer pays. */
  price: Rupiah;
  /** What the provider charges us (`basePrice`). */
  cost: Rupiah;
  /** False when out of stock, hidden by an admin, or its provider is down. */
  available: boolean;
  /** Why it cannot be bought, when it cannot. */
  unavailableReason?: "out_of_stock" | "provider_down";
}

/** What shapes the view besides the products. */
export interface CatalogOptions {
  markup: MarkupRules;
  /** Codes an admin has hidden. */
  hidden?: ReadonlySet<string>;
  /** Providers whose last refresh failed: their items show but cannot be bought. */
  downProviders?: ReadonlySet<string>;
}

/** Normalises a code for lookup: upper case, no spaces. */
export function normalizeCode(code: string): string {
  return code.trim().toUpperCase().replace(/\s+/g, "");
}

const codeAlphabet = /[^A-Z0-9_-]/g;

/** Gives each product a unique code: its suggested code, else its sku; clashes get a provider prefix. */
function assignCodes(products: ProviderProduct[]): { product: ProviderProduct; code: string }[] {
  const taken = new Set<string>();
  return products.map((product) => {
    const base = normalizeCode(product.code ?? product.sku).replace(codeAlphabet, "").slice(0, 32) || "ITEM";
    let code = base;
    if (taken.has(code)) code = `${product.provider.slice(0, 3).toUpperCase()}-${base}`;
    for (let n = 2; taken.has(code); n++) code = `${base}-${n}`;
    taken.add(code);
    return { product, code };
  });
}

export class CatalogView {
  readonly items: readonly CatalogItem[];
  private readonly byCode = new Map<string, CatalogItem>();
  private readonly byCategory = new Map<CategoryId, CatalogItem[]>();

  constructor(products: ProviderProduct[], options: CatalogOptions) {
    const items: CatalogItem[] = [];
    for (const { product, code } of assignCodes(products)) {
      if (options.hidden?.has(code)) continue;
      const providerDown = options.downProviders?.has(product.provider) ?? false;
      const outOfStock = product.stock === 0;
      const item: CatalogItem = {
        ...product,
        code,
        cost: product.basePrice,
        price: product.fixedPrice ?? sellPrice(product.basePrice, resolveMarkup(options.markup, { code, provider: product.provider })),
        available: !providerDown && !outOfStock,
      };
      if (providerDown) item.unavailableReason = "provider_down";
      else if (outOfStock) item.unavailableReason = "out_of_stock";
      items.push(item);
    }
    // Cheapest first inside each group reads naturally for top-ups (86, 172, 257 diamonds…).
    items.sort((a, b) => a.group.localeCompare(b.group) || a.price - b.price || a.name.localeCompare(b.name));
    this.items = items;
    for (const item of items) {
      this.byCode.set(item.code, item);
      const list = this.byCategory.get(item.category) ?? [];
      list.push(item);
      this.byCategory.set(item.category, list);
    }
  }

  /** Finds a product by the code a buyer typed (case-insensitive). */
  find(code: string): CatalogItem | undefined {
    return this.byCode.get(normalizeCode(code));
  }

  /** Categories that have at least one product, in the fixed shop order. */
  categories(): { id: CategoryId; count: number }[] {
    return categoryIds
      .map((id) => ({ id, count: this.byCategory.get(id)?.length ?? 0 }))
      .filter((category) => category.count > 0);
  }

  /** The groups of a category (games, operators…), in display order. */
  groups(category: CategoryId): string[] {
    return [...new Set((this.byCategory.get(category) ?? []).map((item) => item.group))];
  }

  /** Products of a category, optionally of one group. */
  products(category: CategoryId, group?: string): CatalogItem[] {
    const all = this.byCategory.get(category) ?? [];
    return group === undefined ? all : all.filter((item) => item.group === group);
  }
}
