import { describe, expect, it } from "vitest";
import { CatalogView, normalizeCode, type CatalogOptions } from "../../src/commerce/catalog.js";
import { noMarkup } from "../../src/commerce/pricing.js";
import { SandboxProvider } from "../../src/providers/sandbox/adapter.js";
import type { ProviderProduct } from "../../src/providers/types.js";

function product(fields: Partial<ProviderProduct> & Pick<ProviderProduct, "sku">): ProviderProduct {
  return {
    provider: "alxzen",
    category: "game",
    group: "Mobile Legends",
    name: fields.sku,
    basePrice: 10_000,
    stock: null,
    input: "game_id_zone",
    delivery: "serial",
    ...fields,
  };
}

const plain: CatalogOptions = { markup: { global: noMarkup, providers: {}, products: {} } };
const codes = (view: CatalogView) => view.items.map((item) => item.code);

describe("normalizeCode", () => {
  it("upper-cases and removes whitespace", () => {
    expect(normalizeCode(" ml86 ")).toBe("ML86");
    expect(normalizeCode("sb - ml 86")).toBe("SB-ML86");
  });
});

describe("CatalogView codes", () => {
  it("uses the suggested code, else the sku, normalised", () => {
    const view = new CatalogView(
      [product({ sku: "x-1", code: "ml86" }), product({ sku: "ff70", basePrice: 11_000 }), product({ sku: "zz", code: "Ml 172", basePrice: 12_000 })],
      plain,
    );
    expect(codes(view)).toEqual(["ML86", "FF70", "ML172"]);
  });

  it("drops characters a buyer cannot type and falls back to ITEM", () => {
    const view = new CatalogView(
      [product({ sku: "a", code: "ml86!@#" }), product({ sku: "b", code: "😀🎮", basePrice: 11_000 }), product({ sku: "c", code: "tsel_10-gb", basePrice: 12_000 })],
      plain,
    );
    expect(codes(view)).toEqual(["ML86", "ITEM", "TSEL_10-GB"]);
  });

  it("caps a code at 32 characters", () => {
    const view = new CatalogView([product({ sku: "A".repeat(50) })], plain);
    expect(codes(view)).toEqual(["A".repeat(32)]);
  });

  it("gives a clashing code its provider's prefix, then a number", () => {
    const view = new CatalogView(
      [
        product({ sku: "1", code: "ML86", provider: "alxzen", basePrice: 1_000 }),
        product({ sku: "2", code: "ML86", provider: "odzreshop", basePrice: 2_000 }),
        product({ sku: "3", code: "ML86", provider: "odzreshop", basePrice: 3_000 }),
        product({ sku: "4", code: "ML86", provider: "aluy", basePrice: 4_000 }),
        product({ sku: "5", code: "ml86", provider: "alxzen", basePrice: 5_000 }),
      ],
      plain,
    );
    expect(view.items.map((item) => [item.sku, item.code])).toEqual([
      ["1", "ML86"],
      ["2", "ODZ-ML86"],
      ["3", "ML86-2"],
      ["4", "ALU-ML86"],
      ["5", "ALX-ML86"],
    ]);
  });

  it("keeps every code unique even when suggested codes look like generated ones", () => {
    const products = [
      product({ sku: "a", code: "ML86" }),
      product({ sku: "b", code: "ML86" }),
      product({ sku: "c", code: "ALX-ML86" }),
      product({ sku: "d", code: "ML86-2" }),
      product({ sku: "e", code: "ML86" }),
      product({ sku: "f", code: "ML86" }),
    ];
    const view = new CatalogView(products, plain);
    expect(new Set(codes(view)).size).toBe(products.length);
  });

  it("removes hidden codes without renaming the others", () => {
    const products = [product({ sku: "1", code: "ML86", provider: "alxzen" }), product({ sku: "2", code: "ML86", provider: "odzreshop", basePrice: 20_000 })];
    const view = new CatalogView(products, { ...plain, hidden: new Set(["ML86"]) });
    expect(codes(view)).toEqual(["ODZ-ML86"]);
    expect(view.find("ML86")).toBeUndefined();
    expect(view.products("game")).toHaveLength(1);
    expect(view.categories()).toEqual([{ id: "game", count: 1 }]);
  });
});

describe("CatalogView prices and availability", () => {
  it("keeps the provider's price as cost and sells at the resolved markup", () => {
    const view = new CatalogView(
      [
        product({ sku: "ML86", basePrice: 18_000, provider: "alxzen" }),
        product({ sku: "FF70", basePrice: 9_500, provider: "odzreshop", group: "Free Fire" }),
        product({ sku: "ML86", basePrice: 18_200, provider: "odzreshop" }),
      ],
      {
        markup: {
          global: { percent: 10, flat: 0 },
          providers: { odzreshop: { percent: 0, flat: 700 } },
          products: { "ODZ-ML86": { percent: 0, flat: 100 } },
        },
      },
    );
    expect(view.find("ML86")).toMatchObject({ cost: 18_000, price: 19_800, basePrice: 18_000 });
    expect(view.find("FF70")).toMatchObject({ cost: 9_500, price: 10_200 });
    // The product rule is keyed by the code the buyer sees, after the clash was resolved.
    expect(view.find("ODZ-ML86")).toMatchObject({ cost: 18_200, price: 18_300 });
  });

  it("marks stock 0 as out of stock and unlimited or positive stock as available", () => {
    const view = new CatalogView(
      [product({ sku: "NONE", stock: 0 }), product({ sku: "UNL", stock: null }), product({ sku: "FEW", stock: 3 })],
      plain,
    );
    expect(view.find("NONE")).toMatchObject({ available: false, unavailableReason: "out_of_stock" });
    expect(view.find("UNL")?.available).toBe(true);
    expect(view.find("UNL")?.unavailableReason).toBeUndefined();
    expect(view.find("FEW")?.available).toBe(true);
  });

  it("shows a down provider's products as unavailable, and says so over out of stock", () => {
    const view = new CatalogView(
      [product({ sku: "A", provider: "premzone" }), product({ sku: "B", provider: "premzone", stock: 0 }), product({ sku: "C", provider: "alxzen" })],
      { ...plain, downProviders: new Set(["premzone"]) },
    );
    expect(view.find("A")).toMatchObject({ available: false, unavailableReason: "provider_down" });
    expect(view.find("B")).toMatchObject({ available: false, unavailableReason: "provider_down" });
    expect(view.find("C")?.available).toBe(true);
    // Unavailable products are still listed (and counted): buyers see them, greyed out.
    expect(view.products("game")).toHaveLength(3);
  });
});

describe("CatalogView categories, groups and order", () => {
  const view = new CatalogView(
    [
      product({ sku: "OTHER1", category: "other", group: "Uji" }),
      product({ sku: "ML172", group: "Mobile Legends", basePrice: 35_500 }),
      product({ sku: "TSEL10", category: "data", group: "Telkomsel", basePrice: 45_000, input: "phone" }),
      product({ sku: "ML86", group: "Mobile Legends", basePrice: 18_000 }),
      product({ sku: "FF70", group: "Free Fire", basePrice: 9_500 }),
      product({ sku: "ML86B", name: "A cheaper twin", group: "Mobile Legends", basePrice: 18_000 }),
      product({ sku: "XL5", category: "data", group: "XL", basePrice: 20_000, input: "phone" }),
      product({ sku: "NFX1", category: "app", group: "Netflix", basePrice: 30_000, input: "none" }),
      product({ sku: "AXIS", category: "data", group: "Axis", basePrice: 99_000, input: "phone" }),
    ],
    plain,
  );

  it("lists non-empty categories in the fixed shop order with their counts", () => {
    expect(view.categories()).toEqual([
      { id: "game", count: 4 },
      { id: "data", count: 3 },
      { id: "app", count: 1 },
      { id: "other", count: 1 },
    ]);
  });

  it("lists a category's groups in display order, each once", () => {
    expect(view.groups("game")).toEqual(["Free Fire", "Mobile Legends"]);
    expect(view.groups("data")).toEqual(["Axis", "Telkomsel", "XL"]);
    expect(view.groups("vps")).toEqual([]);
  });

  it("sorts products by group, then price, then name", () => {
    expect(view.products("game").map((item) => item.code)).toEqual(["FF70", "ML86B", "ML86", "ML172"]);
    expect(view.products("data").map((item) => item.code)).toEqual(["AXIS", "TSEL10", "XL5"]);
  });

  it("filters by group", () => {
    expect(view.products("game", "Mobile Legends").map((item) => item.code)).toEqual(["ML86B", "ML86", "ML172"]);
    expect(view.products("game", "Genshin")).toEqual([]);
    expect(view.products("vps")).toEqual([]);
  });

  it("finds a product by code, ignoring case and surrounding spaces", () => {
    expect(view.find("ML86")?.sku).toBe("ML86");
    expect(view.find("ml86")?.sku).toBe("ML86");
    expect(view.find("  Ml86b ")?.sku).toBe("ML86B");
    expect(view.find("tsel10")?.category).toBe("data");
    expect(view.find("ML8")).toBeUndefined();
    expect(view.find("")).toBeUndefined();
  });
});

describe("CatalogView over the sandbox provider", () => {
  it("sells every sandbox product under its SB- code", async () => {
    const view = new CatalogView(await new SandboxProvider().listProducts(), plain);
    expect(codes(view).sort()).toEqual(["SB-FAIL1", "SB-FF70", "SB-ML172", "SB-ML86", "SB-NFX1", "SB-PANEL1", "SB-TSEL10"]);
    expect(view.find("sb-ml86")).toMatchObject({ provider: "sandbox", sku: "ML86", input: "game_id_zone", available: true });
    expect(view.categories().map((category) => category.id)).toEqual(["game", "data", "app", "panel", "other"]);
    expect(view.groups("game")).toEqual(["Free Fire", "Mobile Legends"]);
  });
});
