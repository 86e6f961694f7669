/**
 * Authenticating provider webhooks: the shared secret a provider sends in a header (premzone's
 * `X-Api-Secret`), or, for an API that documents no webhook authentication (ICS-Store), a secret
 * segment of the URL we give it. Every adapter checks it the same way, in constant time.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { ProviderError } from "./errors.js";
import type { ProviderId, WebhookRequest } from "./types.js";

/** A header by name, however the server spelled its case (node lower-cases them all). */
export function header(headers: WebhookRequest["headers"], name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * Compares secrets in constant time. Both sides are hashed first so the buffers handed to
 * `timingSafeEqual` always have the same length: a wrong-length secret is refused without the
 * comparison ending early, which would otherwise reveal the expected length or content.
 */
export function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Throws an `auth` ProviderError unless `request` carries `expected` in `headerName`. With no
 * secret configured every webhook is refused: an empty secret must never match an empty header.
 */
export function requireWebhookSecret(request: WebhookRequest, headerName: string, expected: string | undefined, provider: ProviderId): void {
  const given = header(request.headers, headerName);
  if (!expected || given === undefined || !sameSecret(given, expected)) {
    throw new ProviderError("auth", `${provider}: webhook secret missing or wrong`, { provider });
  }
}

/**
 * Throws an `auth` ProviderError unless the request came to `/webhooks/<id>/<expected>`. With no
 * secret configured every webhook is refused.
 */
export function requireWebhookPathSecret(request: WebhookRequest, expected: string | undefined, provider: ProviderId): void {
  const given = request.pathSecret;
  if (!expected || given === undefined || !sameSecret(given, expected)) {
    throw new ProviderError("auth", `${provider}: webhook path secret missing or wrong`, { provider });
  }
}
