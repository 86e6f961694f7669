/**
 * Whether a product code names something an admin may set a markup on or hide.
 *
 * @example
 * if (!knownProduct(services, "SB-ML86")) return answer("unknown_product", msg("admin-product-unknown", { code }));
 */
import type { AdminServices } from "./context.js";

/** A code the catalog sells now, or one an admin hid (hidden products are not in the view). */
export function knownProduct(services: Pick<AdminServices, "catalog" | "settings">, code: string): boolean {
  return services.catalog.view().find(code) !== undefined || services.settings.hidden().has(code);
}
