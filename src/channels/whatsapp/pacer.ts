/**
 * Outbound pacing for WhatsApp. WhatsApp answers bursts with `rate-overlimit` and bans numbers
 * that behave like spam bots, so every message we send waits for a global slot (a configured
 * rate with random jitter, so the rhythm does not look machine-made), recipients take turns, and
 * a send refused for rate reasons backs off and retries a few times.
 *
 * Each {@link Pacer.send} is a batch of steps (one WhatsApp message each) for one recipient: the
 * steps run in order, batches of a recipient run in the order they were queued, and the first
 * failing step drops the rest of its batch (a half-sent delivery should not carry on as if whole).
 * Time comes from an injectable {@link Clock}, so tests and benchmarks run in virtual time.
 */

/** The passage of time, injectable so pacing can be tested and measured without real waiting. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Wall-clock time. Timers are unref'd: a pending pause never keeps a stopping process alive. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) =>
    new Promise((resolve) => {
      setTimeout(resolve, Math.max(0, ms)).unref();
    }),
};

/** See {@link PacerOptions.jitter}. */
const defaultJitter = 0.2;

/** One WhatsApp message to send. */
export type SendStep = () => Promise<void>;

/** Rate, retry policy and time source of a {@link Pacer}. */
export interface PacerOptions {
  /** Messages per second across all recipients. */
  perSecond: number;
  /**
   * Extra random share of the interval added to each gap (0.2, the default → gaps of 1×–1.2× the
   * interval, averaging ~0.9× the rate: enough variation that the rhythm is not machine-exact,
   * without giving up a fifth of the configured rate as a wider jitter would).
   */
  jitter?: number;
  /** Retries of a step refused for rate reasons before its batch fails. */
  retries?: number;
  /** First back-off after a rate refusal; doubles per retry up to {@link retryMaxMs}. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** True when an error means "too fast" (worth waiting and retrying), as opposed to a real failure. */
  isRateLimit: (error: unknown) => boolean;
  clock?: Clock;
  /** Uniform in [0, 1); injectable so tests can pin the jitter. */
  random?: () => number;
  /** Told about each back-off (for logs). */
  onBackoff?: (recipient: string, attempt: number, delayMs: number) => void;
}

interface Batch {
  steps: SendStep[];
  next: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A per-recipient FIFO under one global rate. */
export class Pacer {
  /** Recipients with work, in turn order (a Map keeps insertion order: re-inserting rotates). */
  private readonly queues = new Map<string, Batch[]>();
  private draining = false;
  private nextSlotAt = 0;
  private closedWith: Error | null = null;
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly options: PacerOptions) {
    if (!(options.perSecond > 0)) throw new Error("perSecond must be positive");
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
  }

  /** Queues a batch for `recipient`; resolves when every step was sent, rejects on the first failure. */
  send(recipient: string, steps: SendStep[]): Promise<void> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    if (steps.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues.get(recipient) ?? [];
      queue.push({ steps, next: 0, resolve, reject });
      this.queues.set(recipient, queue);
      if (!this.draining) void this.drain();
    });
  }

  /** Messages waiting (not yet sent), across recipients. */
  get pending(): number {
    let count = 0;
    for (const queue of this.queues.values()) for (const batch of queue) count += batch.steps.length - batch.next;
    return count;
  }

  /** Fails every queued batch with `reason` and refuses new ones; a step already running finishes. */
  close(reason = new Error("whatsapp sender stopped")): void {
    this.closedWith = reason;
    for (const queue of this.queues.values()) for (const batch of queue) batch.reject(reason);
    this.queues.clear();
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let turn = this.nextTurn(); turn; turn = this.nextTurn()) {
        const [recipient, queue] = turn;
        const batch = queue[0]!;
        try {
          await this.runStep(recipient, batch.steps[batch.next]!);
          batch.next += 1;
          if (batch.next === batch.steps.length) {
            queue.shift();
            batch.resolve();
          }
        } catch (error) {
          queue.shift();
          batch.reject(error);
        }
        this.rotate(recipient, queue);
      }
    } finally {
      this.draining = false;
    }
  }

  /** The recipient whose turn it is. */
  private nextTurn(): [string, Batch[]] | undefined {
    for (const entry of this.queues) if (entry[1].length > 0) return entry;
    return undefined;
  }

  /** Sends the recipient to the back of the line, or forgets it when it has nothing left. */
  private rotate(recipient: string, queue: Batch[]): void {
    if (this.queues.get(recipient) !== queue) return; // closed meanwhile
    this.queues.delete(recipient);
    if (queue.length > 0) this.queues.set(recipient, queue);
  }

  private async runStep(recipient: string, step: SendStep): Promise<void> {
    const retries = this.options.retries ?? 4;
    for (let attempt = 0; ; attempt++) {
      await this.waitForSlot();
      // Closed while waiting for the slot: the batch was already failed, so do not send half of it.
      if (this.closedWith) throw this.closedWith;
      try {
        await step();
        return;
      } catch (error) {
        if (attempt >= retries || !this.options.isRateLimit(error)) throw error;
        const delayMs = this.backoff(attempt);
        this.options.onBackoff?.(recipient, attempt + 1, delayMs);
        // The whole queue waits: WhatsApp limits the account, not one chat.
        await this.clock.sleep(delayMs);
      }
    }
  }

  private async waitForSlot(): Promise<void> {
    const wait = this.nextSlotAt - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
    const interval = 1000 / this.options.perSecond;
    this.nextSlotAt = this.clock.now() + interval * (1 + this.random() * (this.options.jitter ?? defaultJitter));
  }

  /** Exponential back-off with "equal jitter": half fixed, half random, so retries spread out. */
  private backoff(attempt: number): number {
    const base = this.options.retryBaseMs ?? 2_000;
    const capped = Math.min(this.options.retryMaxMs ?? 60_000, base * 2 ** attempt);
    return capped / 2 + this.random() * (capped / 2);
  }
}
