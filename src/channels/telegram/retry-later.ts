/**
 * Runs a task that may fail now and again later: the first attempt at once, then, after each
 * failure, another after a delay that doubles up to a ceiling, until one succeeds or it is
 * cancelled. For cosmetic calls (the command list) that must never stop the bot.
 */
export interface RetryLaterOptions {
  firstDelayMs: number;
  /** Longest delay between attempts; default one hour. */
  maxDelayMs?: number;
  onFailure: (err: unknown, nextDelayMs: number) => void;
}

export interface RetryHandle {
  cancel(): void;
  /** Settles after the first attempt (successful or not); for tests and start-up ordering. */
  readonly firstAttempt: Promise<void>;
}

export function retryLater(task: () => Promise<void>, options: RetryLaterOptions): RetryHandle {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const attempt = async (delayMs: number): Promise<void> => {
    try {
      await task();
    } catch (err) {
      if (cancelled) return;
      options.onFailure(err, delayMs);
      timer = setTimeout(() => void attempt(Math.min(delayMs * 2, options.maxDelayMs ?? 3_600_000)), delayMs);
      // A pending retry of a cosmetic call must not keep the process alive.
      timer.unref();
    }
  };
  return {
    firstAttempt: attempt(options.firstDelayMs),
    cancel: () => {
      cancelled = true;
      clearTimeout(timer);
    },
  };
}
