/**
 * Simulated buyers on the fake Bot API.
 *
 * A {@link Crowd} watches every message event the fake records (one long-lived `waitFor` whose
 * predicate sees each event and never matches until the crowd closes) and hands each to the
 * buyer of that chat, so a thousand waiting buyers cost one map lookup per event. A buyer runs
 * one {@link Step} at a time: it enqueues an update at the fake (a text or a button tap) and
 * the step is done when a message event in its chat satisfies the step's `done`. Latency is
 * from the enqueue to that event being recorded by the fake — i.e. to the bot's reply arriving.
 *
 * {@link runLoad} drives buyers for a warm-up and a measured window, either in a closed loop
 * (the next update as soon as the reply arrives: measures capacity) or paced with random think
 * times (a realistic offered load: measures latency). {@link runOnce} walks each buyer through a
 * script once, a bounded number at a time.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { inlineButtons, type FakeTelegram, type SentMessage } from "../test/fakes/telegram-api.js";
import { coresUsed, cpuMark, Samples, sleep, type Percentiles } from "./stats.js";

/** One thing a buyer does, and how they recognise the bot's answer. */
export interface Step {
  /** Name for per-step figures, e.g. "tap category". */
  label: string;
  act: (buyer: Buyer) => void;
  done: (message: SentMessage) => boolean;
}

/** When a step's update was enqueued and its answer arrived (performance.now() ms). */
export interface StepTiming {
  sentAt: number;
  doneAt: number;
}

interface Pending {
  step: Step;
  sentAt: number;
  resolve: (timing: StepTiming) => void;
  reject: (error: Error) => void;
}

/** A step whose answer never came within the reply timeout. */
export class ReplyTimeout extends Error {}

/** The buyers of one run and the event stream they share. */
export class Crowd {
  private readonly buyers = new Map<number, Buyer>();
  private readonly pending = new Map<number, Pending>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(
    readonly fake: FakeTelegram,
    private readonly replyTimeoutMs: number,
  ) {
    fake.waitFor((message) => this.dispatch(message), { since: fake.mark(), timeoutMs: 2 ** 31 - 1 }).catch(() => undefined);
    this.sweeper = setInterval(() => this.sweep(), 100);
  }

  /** The buyer of a private chat (created on first use). */
  buyer(chatId: number): Buyer {
    let buyer = this.buyers.get(chatId);
    if (!buyer) {
      buyer = new Buyer(chatId, this);
      this.buyers.set(chatId, buyer);
    }
    return buyer;
  }

  /** Starts `step` for `buyer`; resolves when the answer arrives. */
  run(buyer: Buyer, step: Step): Promise<StepTiming> {
    if (this.closed) return Promise.reject(new Error("crowd closed"));
    if (this.pending.has(buyer.chatId)) return Promise.reject(new Error(`buyer ${buyer.chatId} already waits for an answer`));
    return new Promise<StepTiming>((resolve, reject) => {
      this.pending.set(buyer.chatId, { step, sentAt: performance.now(), resolve, reject });
      try {
        step.act(buyer);
      } catch (error) {
        this.pending.delete(buyer.chatId);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Stops watching events and fails whatever still waits. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const waiting of this.pending.values()) waiting.reject(new Error("crowd closed"));
    this.pending.clear();
  }

  /** Returns true only once closed, which ends the fake's wait. */
  private dispatch(message: SentMessage): boolean {
    if (this.closed) return true;
    const buyer = this.buyers.get(message.chatId);
    if (!buyer) return false;
    if (inlineButtons(message).length > 0) buyer.lastMenu = message;
    const waiting = this.pending.get(message.chatId);
    if (waiting && waiting.step.done(message)) {
      this.pending.delete(message.chatId);
      waiting.resolve({ sentAt: waiting.sentAt, doneAt: performance.now() });
    }
    return false;
  }

  private sweep(): void {
    const expired = performance.now() - this.replyTimeoutMs;
    for (const [chatId, waiting] of this.pending) {
      if (waiting.sentAt >= expired) continue;
      this.pending.delete(chatId);
      waiting.reject(new ReplyTimeout(`no "${waiting.step.label}" answer in chat ${chatId} within ${this.replyTimeoutMs} ms`));
    }
  }
}

/** A simulated buyer in a private chat (user id = chat id, Indonesian client). */
export class Buyer {
  /** The latest message with inline buttons the bot showed this buyer. */
  lastMenu: SentMessage | undefined;
  /** Free counter for scripts (e.g. to make each echo text unique). */
  counter = 0;

  constructor(
    readonly chatId: number,
    private readonly crowd: Crowd,
  ) {}

  /** Runs one step and resolves with its timing. */
  step(step: Step): Promise<StepTiming> {
    return this.crowd.run(this, step);
  }

  /** Sends a text message to the bot. */
  say(text: string): void {
    this.crowd.fake.sendText({ id: this.chatId, type: "private" }, { id: this.chatId, first_name: "Pembeli", language_code: "id" }, text);
  }

  /** Taps the first button of the latest menu whose label matches. */
  tap(label: (text: string) => boolean): void {
    const menu = this.lastMenu;
    if (!menu) throw new Error(`buyer ${this.chatId} has no menu to tap`);
    const button = inlineButtons(menu).find((candidate) => label(candidate.text));
    if (!button || !("callback_data" in button) || button.callback_data === undefined) {
      throw new Error(`buyer ${this.chatId}: no matching button in [${inlineButtons(menu).map((b) => b.text).join(", ")}]`);
    }
    this.crowd.fake.tapButton(this.chatId, this.chatId, menu.messageId, button.callback_data);
  }
}

/** A load run. */
export interface LoadOptions {
  fake: FakeTelegram;
  chatIds: readonly number[];
  /** Steps each buyer runs first, and again after an error (e.g. a top-up). */
  start?: readonly Step[];
  /** Steps each buyer repeats. */
  cycle: readonly Step[];
  /** Mean think time between a reply and the next update; null = closed loop (no thinking). */
  thinkMs: number | null;
  /** Added to every think time (paced only), e.g. to keep a buyer under Telegram's 1 message/s per chat. */
  minThinkMs?: number;
  warmupMs: number;
  measureMs: number;
  replyTimeoutMs: number;
  /** Called when the measured window opens and closes (e.g. to read the bot's counters). */
  onWindowStart?: () => Promise<void>;
  onWindowEnd?: () => Promise<void>;
  /** Return the raw latency samples too (to pool runs). */
  keepSamples?: boolean;
}

/** What a load run measured inside its window. */
export interface LoadResult {
  buyers: number;
  mode: "closed" | "paced";
  /** Answers that arrived inside the window. */
  handled: number;
  /** Answers that arrived during the whole run (warm-up and drain included). */
  totalHandled: number;
  seconds: number;
  perSecond: number;
  /** Latency of updates enqueued inside the window (each waited for, so the tail is complete). */
  latency: Percentiles;
  /** Raw latencies (ms) of the window, when asked for with `keepSamples`. */
  samples?: number[];
  byStep: Record<string, Percentiles>;
  timeouts: number;
  errors: number;
  firstError: string | null;
  /** CPU of this process (fake Bot API + buyers) during the window, in cores. */
  driverCores: number;
  /**
   * Worst event-loop stall of this process during the window (ms): a stalled fake delays every
   * update and answer it handles, so a large value marks a run whose latencies are suspect.
   */
  driverStallMs: number;
}

/** Drives buyers through a warm-up and a measured window; see the module comment. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const crowd = new Crowd(options.fake, options.replyTimeoutMs);
  const started = performance.now();
  const windowStart = started + options.warmupMs;
  const windowEnd = windowStart + options.measureMs;
  const inWindow = (at: number) => at >= windowStart && at < windowEnd;
  const latency = new Samples();
  const byStep = new Map<string, Samples>();
  const tally = { handled: 0, totalHandled: 0, timeouts: 0, errors: 0, firstError: null as string | null };
  let issuing = true;
  let cpuFrom = cpuMark();
  let cpuTo = cpuFrom;
  const driverLoop = monitorEventLoopDelay({ resolution: 5 });
  let driverStallMs = 0;

  const record = (step: Step, timing: StepTiming) => {
    tally.totalHandled++;
    if (inWindow(timing.doneAt)) tally.handled++;
    if (!inWindow(timing.sentAt)) return;
    const ms = timing.doneAt - timing.sentAt;
    latency.add(ms);
    let perStep = byStep.get(step.label);
    if (!perStep) byStep.set(step.label, (perStep = new Samples()));
    perStep.add(ms);
  };
  const think = () => (options.thinkMs === null ? Promise.resolve() : sleep((options.minThinkMs ?? 0) + thinkTime(options.thinkMs)));

  const walk = async (chatId: number) => {
    const buyer = crowd.buyer(chatId);
    if (options.thinkMs !== null) await sleep(Math.random() * options.thinkMs);
    let fromTheStart = true;
    while (issuing) {
      const steps = fromTheStart ? [...(options.start ?? []), ...options.cycle] : options.cycle;
      fromTheStart = false;
      for (const step of steps) {
        if (!issuing) return;
        try {
          record(step, await buyer.step(step));
        } catch (error) {
          if (error instanceof ReplyTimeout) tally.timeouts++;
          else tally.errors++;
          tally.firstError ??= error instanceof Error ? error.message : String(error);
          // Start over, as a confused buyer would.
          fromTheStart = true;
          await sleep(50);
          break;
        }
        await think();
      }
    }
  };

  const windowHooks: Promise<void>[] = [];
  const opener = setTimeout(() => {
    cpuFrom = cpuMark();
    driverLoop.enable();
    if (options.onWindowStart) windowHooks.push(options.onWindowStart());
  }, options.warmupMs);
  const closer = setTimeout(() => {
    cpuTo = cpuMark();
    driverLoop.disable();
    driverStallMs = driverLoop.max / 1e6;
    issuing = false;
    if (options.onWindowEnd) windowHooks.push(options.onWindowEnd());
  }, options.warmupMs + options.measureMs);
  try {
    await Promise.all(options.chatIds.map(walk));
    await Promise.all(windowHooks);
  } finally {
    clearTimeout(opener);
    clearTimeout(closer);
    driverLoop.disable();
    crowd.close();
  }
  const seconds = options.measureMs / 1000;
  return {
    buyers: options.chatIds.length,
    mode: options.thinkMs === null ? "closed" : "paced",
    handled: tally.handled,
    totalHandled: tally.totalHandled,
    seconds,
    perSecond: tally.handled / seconds,
    latency: latency.summary(),
    ...(options.keepSamples ? { samples: latency.values() } : {}),
    byStep: Object.fromEntries([...byStep].map(([label, samples]) => [label, samples.summary()])),
    timeouts: tally.timeouts,
    errors: tally.errors,
    firstError: tally.firstError,
    driverCores: coresUsed(cpuFrom, cpuTo),
    driverStallMs,
  };
}

/** Exponential think time with the given mean, capped at 4× so one buyer never idles a whole run. */
function thinkTime(meanMs: number): number {
  return Math.min(4 * meanMs, -Math.log(1 - Math.random()) * meanMs);
}

/** Outcome of {@link runOnce}. */
export interface OnceResult {
  completed: number;
  failed: number;
  firstError: string | null;
  seconds: number;
}

/** Walks every buyer through `steps` once, at most `concurrency` buyers at a time. */
export async function runOnce(fake: FakeTelegram, chatIds: readonly number[], steps: readonly Step[], concurrency: number, replyTimeoutMs: number): Promise<OnceResult> {
  const crowd = new Crowd(fake, replyTimeoutMs);
  const started = performance.now();
  const result = { completed: 0, failed: 0, firstError: null as string | null };
  let next = 0;
  const worker = async () => {
    while (next < chatIds.length) {
      const buyer = crowd.buyer(chatIds[next++]!);
      try {
        for (const step of steps) await buyer.step(step);
        result.completed++;
      } catch (error) {
        result.failed++;
        result.firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, chatIds.length) }, worker));
  } finally {
    crowd.close();
  }
  return { ...result, seconds: (performance.now() - started) / 1000 };
}
