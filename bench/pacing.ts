/**
 * Benchmark 3: outbound pacing.
 *
 * Telegram, in real time: the admin Broadcaster (src/admin/broadcast.ts) sends to N buyers
 * through the real TelegramChannel (grammY + auto-retry) to a fake Bot API that enforces 30
 * messages/s overall and 1/s per chat, answering 429 with retry_after beyond that.
 *
 * WhatsApp, in virtual time (3,000 messages at 1/s would take an hour): the real WhatsAppChannel
 * and Pacer, as start.ts builds them, send to N recipients through a socket that refuses
 * (`rate-overlimit`) anything beyond the configured WHATSAPP_SEND_PER_SECOND in any 1 s window.
 */
import { Redis } from "ioredis";
import { Broadcaster } from "../src/admin/broadcast.js";
import { ChannelOutbox } from "../src/core/outbox.js";
import { textReply } from "../src/core/reply.js";
import { Pacer } from "../src/channels/whatsapp/pacer.js";
import type { WhatsAppSocket } from "../src/channels/whatsapp/socket.js";
import { isRateLimitError, WhatsAppChannel } from "../src/channels/whatsapp/whatsapp-channel.js";
import { TelegramChannel } from "../src/channels/telegram/telegram-channel.js";
import { Translator } from "../src/i18n/translator.js";
import { msg } from "../src/core/message.js";
import { silentLogger } from "../src/logger.js";
import { keys } from "../src/store/keys.js";
import { FakeEventEmitter, rateOverlimit } from "../test/fakes/baileys-socket.js";
import { startFakeTelegram } from "../test/fakes/telegram-api.js";
import { testConfig } from "../test/helpers/app.js";
import { freshRedis } from "../test/helpers/redis.js";
import { VirtualClock } from "../test/whatsapp/clocks.js";
import type { BenchConfig } from "./config.js";
import { fmt, row, type BenchResult, type SummaryRow } from "./report.js";

/** Telegram's documented broadcast ceiling, which the fake enforces. */
const telegramLimit = 30;
const firstChatId = 800_000;
const text = "Promo akhir pekan: diskon 10% semua top-up game!";

/** Delivery check: how many recipients got 0, exactly 1, or more than 1 message. */
interface Delivery {
  none: number;
  once: number;
  duplicated: number;
}

/** What one pacing run achieved. */
interface PacingRun {
  channel: string;
  recipients: number;
  seconds: number;
  perSecond: number;
  limit: number;
  refusals: number;
  refusalsAfterFirstSecond: number;
  /** Most accepted messages in any 1 s window. */
  peakPerSecond: number;
  delivery: Delivery;
  extra: Record<string, number | string>;
}

/** Events in the busiest sliding 1 s window. */
function peakWindow(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[start] ?? 0) <= (sorted[end] ?? 0) - 1000) start++;
    peak = Math.max(peak, end - start + 1);
  }
  return peak;
}

function deliveryOf(counts: Iterable<number>): Delivery {
  const delivery: Delivery = { none: 0, once: 0, duplicated: 0 };
  for (const count of counts) {
    if (count === 0) delivery.none++;
    else if (count === 1) delivery.once++;
    else delivery.duplicated++;
  }
  return delivery;
}

async function telegramBroadcast(recipients: number, rate: number): Promise<PacingRun> {
  const fake = await startFakeTelegram({ rateLimit: { globalPerSecond: telegramLimit, perChatPerSecond: 1 } });
  const { redis, cleanup } = await freshRedis("bench-broadcast");
  try {
    const ids = Array.from({ length: recipients }, (_, i) => firstChatId + i);
    for (let i = 0; i < ids.length; i += 1000) await redis.sadd(keys.buyers(), ...ids.slice(i, i + 1000).map((id) => `telegram:${id}`));
    const channel = new TelegramChannel({
      token: fake.token,
      apiRoot: fake.url,
      translator: new Translator("id"),
      logger: silentLogger,
    });
    const outbox = new ChannelOutbox([channel]);
    let posts = 0;
    const broadcaster = new Broadcaster({
      redis,
      outbox,
      group: { post: async () => void posts++ },
      audit: { record: async () => undefined },
      logger: silentLogger,
      locale: "id",
      perSecond: { telegram: rate, whatsapp: 1 },
    });
    const mark = fake.mark();
    const started = Date.now();
    const start = await broadcaster.start(text, { by: "bench", chat: "bench" });
    if (start.kind !== "started") throw new Error(`broadcast did not start: ${start.kind}`);
    const tally = await broadcaster.finished();
    const seconds = (Date.now() - started) / 1000;
    const sends = fake.calls.filter((call) => call.seq >= mark && call.method === "sendMessage");
    const refused = sends.filter((call) => call.status === 429);
    const accepted = sends.filter((call) => call.status === 200);
    return {
      channel: `telegram (broadcaster at ${rate}/s)`,
      recipients: ids.length,
      seconds,
      perSecond: accepted.length / seconds,
      limit: telegramLimit,
      refusals: refused.length,
      refusalsAfterFirstSecond: refused.filter((call) => call.at - started > 1000).length,
      // Stamped when the fake accepted the message, like its own rate limiter does.
      peakPerSecond: peakWindow(fake.sent.filter((m) => m.seq >= mark && m.method === "sendMessage").map((m) => m.at)),
      delivery: deliveryOf(ids.map((id) => fake.messagesTo(id).filter((m) => m.method === "sendMessage").length)),
      extra: {
        tallySent: tally?.sent ?? -1,
        tallyFailed: tally?.failed ?? -1,
        adminPosts: posts,
        fakeRefusals: fake.tooManyRequests,
      },
    };
  } finally {
    await cleanup();
    await fake.close();
  }
}

/** A 1 s sliding window over virtual time, refusing like WhatsApp does when we send too fast. */
class VirtualLimit {
  private readonly stamps: number[] = [];
  refused = 0;

  constructor(private readonly perSecond: number) {}

  admit(now: number): void {
    while (this.stamps.length > 0 && (this.stamps[0] ?? now) <= now - 1000) this.stamps.shift();
    if (this.stamps.length >= this.perSecond) {
      this.refused++;
      throw rateOverlimit();
    }
    this.stamps.push(now);
  }
}

/** The real channel and pacer in virtual time; `jitter` undefined = production default. */
async function whatsappPacing(config: BenchConfig, redis: Redis, jitter?: number): Promise<PacingRun> {
  const perSecond = testConfig().WHATSAPP_SEND_PER_SECOND;
  const clock = new VirtualClock();
  const limit = new VirtualLimit(perSecond);
  const received = new Map<string, number>();
  const acceptedAt: number[] = [];
  const refusedAt: number[] = [];
  const socket: WhatsAppSocket = {
    ev: new FakeEventEmitter(),
    user: { id: "6281100000001@s.whatsapp.net" },
    sendMessage: async (jid) => {
      try {
        limit.admit(clock.now());
      } catch (error) {
        refusedAt.push(clock.now());
        throw error;
      }
      acceptedAt.push(clock.now());
      received.set(jid, (received.get(jid) ?? 0) + 1);
      return undefined;
    },
    groupMetadata: () => Promise.reject(new Error("not used by the benchmark")),
    requestPairingCode: () => Promise.reject(new Error("not used by the benchmark")),
    readMessages: async () => undefined,
    sendPresenceUpdate: async () => undefined,
    end: async () => undefined,
    signalRepository: { lidMapping: { getPNForLID: async () => null } },
    downloadMedia: () => Promise.reject(new Error("not used by the benchmark")),
  };
  const pacer = new Pacer({ perSecond, isRateLimit: isRateLimitError, clock, ...(jitter === undefined ? {} : { jitter }) });
  const channel = new WhatsAppChannel({
    translator: new Translator("id"),
    logger: silentLogger,
    redis,
    pacer,
    socket: async () => socket,
    presence: false,
  });
  const jids = Array.from({ length: config.broadcastN }, (_, i) => `628${String(100_000_000 + i)}@s.whatsapp.net`);
  const reply = textReply(msg("admin-broadcast-message", { text }));
  const outcomes = await Promise.allSettled(jids.map((jid) => channel.send(jid, [reply], "id")));
  const seconds = clock.now() / 1000;
  return {
    channel: `whatsapp (${perSecond}/s, jitter ${jitter ?? "default"}, virtual time)`,
    recipients: jids.length,
    seconds,
    perSecond: acceptedAt.length / seconds,
    limit: perSecond,
    refusals: limit.refused,
    refusalsAfterFirstSecond: refusedAt.filter((at) => at > 1000).length,
    peakPerSecond: peakWindow(acceptedAt),
    delivery: deliveryOf(jids.map((jid) => received.get(jid) ?? 0)),
    extra: { failedSends: outcomes.filter((outcome) => outcome.status === "rejected").length },
  };
}

/** Runs benchmark 3 (Telegram broadcast, WhatsApp pacer). */
export async function pacingBench(config: BenchConfig): Promise<BenchResult[]> {
  const telegram = await telegramBroadcast(config.broadcastN, config.telegramBroadcastRate);
  const whatIf = config.telegramWhatIfRate > 0 ? await telegramBroadcast(config.telegramWhatIfN, config.telegramWhatIfRate) : null;
  const { redis, cleanup } = await freshRedis("bench-wa");
  let whatsapp: PacingRun;
  let whatsappNoJitter: PacingRun;
  try {
    whatsapp = await whatsappPacing(config, redis);
    whatsappNoJitter = await whatsappPacing(config, redis, 0);
  } finally {
    await cleanup();
  }
  const telegramNotes = [
    "Telegram: the Broadcaster (SendPacer + up to 8 sends in flight) → Outbox → TelegramChannel (grammY with auto-retry) → fake Bot API refusing beyond 30 messages/s overall and 1/s per chat with 429 + retry_after. 'messages/s' = accepted messages / time from start() to the end of the broadcast.",
    `429s: auto-retry inside TelegramChannel waits out retry_after and sends the message again, so the Broadcaster never sees a 429 and its lane-wide holdFor never runs (at ${config.telegramBroadcastRate}/s the fake refused ${telegram.refusals} sends${whatIf ? `, at ${config.telegramWhatIfRate}/s ${whatIf.refusals} of ${whatIf.recipients}, while the Broadcaster counted ${whatIf.extra.tallyFailed} failures and kept its pace` : ""}).`,
    "'peak in any 1 s' counts accepted messages by the fake's millisecond timestamps, so it can read one above the limit the fake enforced.",
  ];
  const whatsappNotes = [
    `WhatsApp: WhatsAppChannel.send → Pacer (production options: WHATSAPP_SEND_PER_SECOND=${whatsapp.limit}, default jitter 0.2, 4 retries) → a socket refusing (rate-overlimit) beyond that rate in any 1 s window, all in virtual time. The Pacer adds 0–20 % random jitter to every gap on purpose (anti-spam), so it averages about 0.91x the configured rate (0.8x with the 50 % it used before); the jitter-0 what-if shows the pacer otherwise holds the rate exactly. A broadcast also passes the Broadcaster's own real-time SendPacer, which is not part of this run.`,
  ];
  return [
    pacingResult(telegram, "3 telegram broadcast", { targeted: true, notes: telegramNotes }),
    ...(whatIf ? [pacingResult(whatIf, "3 telegram, what-if", { targeted: false, notes: [] })] : []),
    pacingResult(whatsapp, "3 whatsapp pacer", { targeted: true, notes: whatsappNotes }),
    pacingResult(whatsappNoJitter, "3 whatsapp, what-if", { targeted: false, notes: [] }),
  ];
}

function pacingResult(run: PacingRun, bench: string, options: { targeted: boolean; notes: string[] }): BenchResult {
  const { targeted } = options;
  const summary: SummaryRow[] = [
    row({
      bench,
      metric: `messages/s, ${run.channel}, ${run.recipients} recipients`,
      value: run.perSecond,
      unit: "/s",
      baseline: { label: "enforced limit", value: run.limit },
      ...(targeted ? { target: ">= 0.9x limit", met: run.perSecond >= 0.9 * run.limit } : {}),
    }),
    row({
      bench,
      metric: "rate refusals (429) after the first second",
      value: run.refusalsAfterFirstSecond,
      unit: "",
      baseline: { label: "messages", value: run.recipients },
      ...(targeted ? { target: "near 0 (<= 0.1%)", met: run.refusalsAfterFirstSecond <= Math.max(1, run.recipients * 0.001) } : {}),
    }),
  ];
  if (targeted) {
    summary.push(
      row({ bench, metric: "recipients with exactly one message", value: run.delivery.once, unit: "", baseline: { label: "recipients", value: run.recipients }, target: "all", met: run.delivery.once === run.recipients }),
    );
  }
  return {
    name: bench,
    summary,
    details: [
      {
        title: `3. Pacing: ${run.channel}`,
        header: ["recipients", "seconds", "messages/s", "limit/s", "peak in any 1 s", "refusals", "after 1st s", "none/once/dup", ...Object.keys(run.extra)],
        rows: [
          [
            String(run.recipients),
            fmt(run.seconds),
            fmt(run.perSecond),
            String(run.limit),
            String(run.peakPerSecond),
            String(run.refusals),
            String(run.refusalsAfterFirstSecond),
            `${run.delivery.none}/${run.delivery.once}/${run.delivery.duplicated}`,
            ...Object.values(run.extra).map(String),
          ],
        ],
      },
    ],
    notes: options.notes,
    data: run,
  };
}
