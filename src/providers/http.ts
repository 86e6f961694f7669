/**
 * The one HTTP client every provider adapter uses.
 *
 * - a per-request timeout (default 15 s);
 * - retries only where they are safe: requests marked `safe` (reads) are retried on a network
 *   error, a timeout, 5xx or 429, with the backoff the providers document (2 s, 4 s, 8 s);
 *   a purchase is never retried here: the adapter decides after looking the order up;
 * - the body is read as JSON when it is JSON; an HTML error page or garbage comes back as
 *   `json: undefined` with the text, so the adapter can tell "malformed" from "upstream";
 * - nothing secret reaches a log or an error message: headers are never logged, and query
 *   parameters named like keys are masked.
 */
import type { z } from "zod";
import type { Logger } from "pino";
import { ProviderError } from "./errors.js";

export interface HttpRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Path (joined to the base URL) or absolute URL. */
  path: string;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** True for reads and anything else that may be repeated without effect. Defaults to `method === "GET"`. */
  safe?: boolean;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
  /** The raw body text (for logs; may hold an HTML error page). */
  text: string;
  headers: Headers;
}

/** One exchange as a transport is asked to make it: the URL built, headers final, body serialised. */
export interface TransportRequest {
  url: URL;
  method: HttpRequest["method"];
  headers: Record<string, string>;
  body?: string;
  /** The whole exchange (connection, sending, the full answer) must be over by then. */
  timeoutMs: number;
}

/** What a transport brings back: the status, the headers and the whole body as text. */
export interface TransportResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * What carries a request for {@link HttpClient}: the global fetch by default ({@link fetchTransport}),
 * or `keepAliveTransport()` (`keep-alive-transport.ts`) where calls come in bursts. Rejects only
 * when no full answer came (network, timeout); any HTTP status is an answer.
 */
export type HttpTransport = (request: TransportRequest) => Promise<TransportResponse>;

/** The transport over a fetch function: what {@link HttpClient} always did. */
export function fetchTransport(fetchImpl: typeof fetch): HttpTransport {
  return async ({ url, method, headers, body, timeoutMs }) => {
    const response = await fetchImpl(url, { method, headers, body, signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
}

export interface HttpClientOptions {
  /** Provider id, for errors and logs. */
  provider: string;
  baseUrl: string;
  /** Headers sent on every request (auth). Never logged. */
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** Delays before each retry of a safe request; its length is the number of retries. */
  retryDelaysMs?: readonly number[];
  logger?: Logger;
  /** Injected for tests; defaults to the global fetch. Wins over `transport`. */
  fetch?: typeof fetch;
  /** What carries the requests when no `fetch` is injected (e.g. a keep-alive transport); defaults to the global fetch. */
  transport?: HttpTransport;
  /**
   * Which answers of a safe request are worth another try; default 5xx and 429. A provider whose
   * document says otherwise narrows it (aluy: 429 is a quota, 503 a missing integration).
   */
  retryStatus?: (status: number) => boolean;
}

export const defaultRetryDelaysMs = [2_000, 4_000, 8_000] as const;
const defaultTimeoutMs = 15_000;
const secretParam = /(key|token|secret|pass|cookie|auth)/i;

/** Masks query parameters that look like credentials, for logs and messages. */
export function redactUrl(url: URL): string {
  const copy = new URL(url);
  for (const name of [...copy.searchParams.keys()]) {
    if (secretParam.test(name)) copy.searchParams.set(name, "***");
  }
  return copy.toString();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class HttpClient {
  private readonly transport: HttpTransport;
  private readonly retryDelaysMs: readonly number[];
  private readonly timeoutMs: number;
  /** The headers of a request that names none of its own, worked out once. */
  private readonly baseHeaders: Readonly<Record<string, string>>;

  constructor(private readonly options: HttpClientOptions) {
    this.transport = options.fetch ? fetchTransport(options.fetch) : (options.transport ?? fetchTransport(fetch));
    this.retryDelaysMs = options.retryDelaysMs ?? defaultRetryDelaysMs;
    this.timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
    this.baseHeaders = Object.freeze(withHeader({ ...options.headers }, "Accept", "application/json", false));
  }

  /** Builds the full URL for a request. */
  url(request: Pick<HttpRequest, "path" | "query">): URL {
    const base = this.options.baseUrl.endsWith("/") ? this.options.baseUrl : `${this.options.baseUrl}/`;
    const url = new URL(request.path.replace(/^\//, ""), base);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  /**
   * Sends a request and returns whatever HTTP status came back. Throws ProviderError only for
   * `timeout` (no answer in time, or the connection broke) once retries, if allowed, are spent.
   */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const safe = request.safe ?? request.method === "GET";
    const attempts = safe ? this.retryDelaysMs.length + 1 : 1;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      if (attempt > 0) await sleep(this.retryDelayMs(attempt - 1, lastError));
      try {
        const response = await this.sendOnce(request);
        const retryable = this.options.retryStatus ? this.options.retryStatus(response.status) : response.status >= 500 || response.status === 429;
        if (!retryable || attempt === attempts - 1) return response;
        lastError = response;
      } catch (error) {
        lastError = error;
        if (attempt === attempts - 1) throw error;
      }
      this.options.logger?.warn(
        { provider: this.options.provider, path: request.path, attempt: attempt + 1 },
        "provider request failed; retrying a safe request",
      );
    }
    // Unreachable: the loop either returns or throws on its last attempt.
    throw lastError;
  }

  /** Sends a request and parses a JSON body with `schema`; see {@link parseBody}. */
  async sendJson<T>(request: HttpRequest, schema: z.ZodType<T>): Promise<{ status: number; body: T }> {
    const response = await this.send(request);
    return { status: response.status, body: parseBody(this.options.provider, response, schema) };
  }

  private retryDelayMs(index: number, lastError: unknown): number {
    const planned = this.retryDelaysMs[index] ?? this.retryDelaysMs.at(-1) ?? 0;
    // Honour Retry-After on a 429 when the provider asks for longer than we planned.
    if (lastError && typeof lastError === "object" && "headers" in lastError) {
      const header = (lastError as HttpResponse).headers.get("retry-after");
      const seconds = header ? Number(header) : Number.NaN;
      if (Number.isFinite(seconds) && seconds * 1000 > planned) return Math.min(seconds * 1000, 60_000);
    }
    return planned;
  }

  private async sendOnce(request: HttpRequest): Promise<HttpResponse> {
    const url = this.url(request);
    // Spelled as documents spell them: premzone's says "All header names are Case-sensitive",
    // and fetch sends names as given. An adapter's own spelling of the same name replaces ours.
    let headers: Record<string, string> = request.headers
      ? withHeader({ ...this.options.headers, ...request.headers }, "Accept", "application/json", false)
      : this.baseHeaders;
    let body: string | undefined;
    if (request.json !== undefined) {
      headers = withHeader(headers, "Content-Type", "application/json", true);
      body = JSON.stringify(request.json);
    }
    const started = Date.now();
    let response: TransportResponse;
    try {
      response = await this.transport({ url, method: request.method, headers, ...(body !== undefined ? { body } : {}), timeoutMs: request.timeoutMs ?? this.timeoutMs });
    } catch (error) {
      const reason = error instanceof Error ? error.name : "error";
      this.options.logger?.warn(
        { provider: this.options.provider, method: request.method, url: redactUrl(url), reason, ms: Date.now() - started },
        "provider request got no answer",
      );
      throw new ProviderError("timeout", `${this.options.provider}: no answer from ${request.method} ${url.pathname} (${reason})`, {
        provider: this.options.provider,
      });
    }
    const { text } = response;
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    // Checked first: building the redacted URL for a line nobody logs costs every call.
    if (this.options.logger?.isLevelEnabled("debug")) {
      this.options.logger.debug(
        { provider: this.options.provider, method: request.method, url: redactUrl(url), status: response.status, ms: Date.now() - started },
        "provider request",
      );
    }
    return {
      status: response.status,
      json,
      text,
      // Passed on unread: a transport may build them only when asked (keep-alive-transport.ts).
      get headers() {
        return response.headers;
      },
    };
  }
}

/**
 * `headers` with `name` set to `value`: kept as the caller spelled it when present in any case
 * (`replace` false) or replaced under the canonical spelling (`replace` true); never twice.
 */
function withHeader(headers: Record<string, string>, name: string, value: string, replace: boolean): Record<string, string> {
  const existing = Object.keys(headers).filter((key) => key.toLowerCase() === name.toLowerCase());
  if (existing.length > 0 && !replace) return headers;
  const result = { ...headers };
  for (const key of existing) delete result[key];
  result[name] = value;
  return result;
}

/**
 * Parses a response body with a zod schema. A body that is not JSON or does not match becomes
 * ProviderError('upstream') for a 5xx (an error page) and ProviderError('malformed') otherwise.
 */
export function parseBody<T>(provider: string, response: HttpResponse, schema: z.ZodType<T>): T {
  const result = schema.safeParse(response.json);
  if (result.success) return result.data;
  const code = response.status >= 500 ? "upstream" : "malformed";
  const what = response.json === undefined ? "a body that is not JSON" : "JSON of an unexpected shape";
  throw new ProviderError(code, `${provider}: HTTP ${response.status} with ${what}`, { provider, status: response.status });
}
