/**
 * The contract of an HTTP route, shared by the server that dispatches and the modules that
 * answer (payment callbacks, provider webhooks). Routes get the raw body, because signatures are
 * computed over raw bytes.
 */

export interface RouteRequest {
  /** Lower-cased header names, as Node gives them. */
  headers: Record<string, string | undefined>;
  rawBody: string;
  path: string;
}

export interface RouteResponse {
  status: number;
  /** JSON-serialised unless `text` is used. */
  body?: unknown;
  /** A plain-text body (Prometheus metrics). */
  text?: string;
}

export type RouteHandler = (request: RouteRequest) => Promise<RouteResponse>;

/** Answers a JSON error. */
export function fail(status: number, error: string): RouteResponse {
  return { status, body: { ok: false, error } };
}
