/**
 * Flood isolation: one chat flooding the shop must not slow down the other buyers. The shop runs
 * with its production per-chat flood limit against a fake Bot API with Telegram's real limits
 * (30 messages/s overall, 1/s per chat, 429 + retry_after). Paced buyers browse in three phases
 * of equal length:
 *
 *   A  baseline — nobody floods;
 *   F  flood    — one chat sends BENCH_FLOOD_MESSAGES messages, spread evenly over the phase;
 *   A2 baseline again — shows the run-to-run noise of the baseline itself.
 */
import { startFakeTelegram, textOf, type FakeTelegram } from "../test/fakes/telegram-api.js";
import type { BenchConfig } from "./config.js";
import { runLoad, type LoadResult } from "./crowd.js";
import { startHost, type BotHost } from "./host-client.js";
import { isolationRows, latencyCells, latencyHeader } from "./isolation.js";
import { fmt, type BenchResult, type PreparedBench } from "./report.js";
import { browseCycle } from "./scripts.js";

const flooderChat = 990_001;
/** Just over Telegram's 1 message/s per chat. */
const ownChatGapMs = 1_100;

interface Phase {
  name: string;
  load: LoadResult;
  /** Flood messages sent during the phase, and what the flooder got back. */
  floodSent: number;
  flooderAnswers: number;
  flooderNotices: number;
}

/** Starts the flood benchmark's bot process and fake; the returned `run` measures. */
export async function prepareFlood(config: BenchConfig): Promise<PreparedBench> {
  const fake = await startFakeTelegram({ rateLimit: { globalPerSecond: 30, perChatPerSecond: 1 } });
  let host: BotHost | null = null;
  const dispose = async () => {
    await host?.stop();
    await fake.close();
  };
  try {
    host = await startHost("shop-flood", { kind: "shop", telegram: { url: fake.url, token: fake.token }, floodLimit: true }, { cpuProfile: config.cpuProfile });
  } catch (error) {
    await dispose();
    throw error;
  }
  return { run: async () => [await measureFlood(config, fake)], dispose };
}

async function measureFlood(config: BenchConfig, fake: FakeTelegram): Promise<BenchResult> {
  // A fresh process is slower for its first seconds (JIT, lazy paths): warm it up unmeasured.
  await phase("warm-up", config, fake, 890_000, false);
  const baseline = await phase("A  baseline", config, fake, 900_000, false);
  const flood = await phase("F  one chat floods", config, fake, 910_000, true);
  const again = await phase("A2 baseline again", config, fake, 920_000, false);
  return floodResult(config, [baseline, flood, again]);
}

async function phase(name: string, config: BenchConfig, fake: FakeTelegram, firstChatId: number, flooding: boolean): Promise<Phase> {
  // The flooder's answers and notice of an earlier phase may still wait out 429s.
  await fake.waitForIdle(200, 60_000);
  const warmupMs = 2 * (config.floodThinkMs + ownChatGapMs);
  const before = fake.messagesTo(flooderChat).length;
  let floodSent = 0;
  let flooder: NodeJS.Timeout | undefined;
  if (flooding) {
    // Evenly over warm-up and window, in ticks of 20 ms, so the flood covers the measured window.
    const ticks = Math.max(1, Math.floor((warmupMs + config.floodPhaseMs) / 20));
    const perTick = Math.ceil(config.floodMessages / ticks);
    flooder = setInterval(() => {
      for (let i = 0; i < perTick && floodSent < config.floodMessages; i++, floodSent++) {
        fake.sendText({ id: flooderChat, type: "private" }, { id: flooderChat, language_code: "id" }, `/saldo ${floodSent}`);
      }
      if (floodSent >= config.floodMessages) clearInterval(flooder);
    }, 20);
  }
  try {
    const load = await runLoad({
      fake,
      chatIds: Array.from({ length: config.floodBuyers }, (_, i) => firstChatId + i),
      cycle: browseCycle(),
      thinkMs: config.floodThinkMs,
      // Like a person reading the answer: never two messages to the own chat within Telegram's
      // per-chat second, so a buyer's latency shows the flood, not its own 429s.
      minThinkMs: ownChatGapMs,
      warmupMs,
      measureMs: config.floodPhaseMs,
      replyTimeoutMs: config.replyTimeoutMs,
      keepSamples: true,
    });
    const toFlooder = fake.messagesTo(flooderChat).slice(before);
    const notices = toFlooder.filter((message) => textOf(message).includes("Pelan-pelan")).length;
    return { name, load, floodSent, flooderAnswers: toFlooder.length - notices, flooderNotices: notices };
  } finally {
    clearInterval(flooder);
  }
}

function floodResult(config: BenchConfig, phases: Phase[]): BenchResult {
  const [baseline, flood, again] = phases;
  const summary = [];
  if (baseline && flood && again) {
    summary.push(
      ...isolationRows("7 flood isolation", `browsing p99 ms, ${config.floodBuyers} paced buyers, one chat floods ${config.floodMessages} messages`, "no flood (A+A2)", baseline.load, flood.load, again.load),
    );
  }
  return {
    name: "flood",
    summary,
    details: [
      {
        title: "7. Browsing latency with and without one chat flooding",
        header: ["phase", ...latencyHeader, "driver stall", "flood sent", "flooder answers", "slow-down notices"],
        rows: phases.map((p) => [
          p.name,
          ...latencyCells(p.load),
          `${fmt(p.load.driverStallMs)} ms`,
          String(p.floodSent),
          String(p.flooderAnswers),
          String(p.flooderNotices),
        ]),
      },
    ],
    notes: [
      `Fake Bot API with Telegram's limits: 30 messages/s overall, 1/s per chat, 429 + retry_after beyond; the shop keeps its production per-chat flood limit (CHAT_FLOOD_*).`,
      `Browsers: ${config.floodBuyers} paced buyers (think ${fmt(ownChatGapMs / 1000)} s + ${config.floodThinkMs} ms mean) walking the sandbox checkout; ${fmt(config.floodPhaseMs / 1000)} s measured per phase. The fixed ${fmt(ownChatGapMs / 1000)} s keeps each buyer under the per-chat limit, so its latency shows the flood, not its own 429s.`,
      `Phase F: chat ${flooderChat} sends ${config.floodMessages} "/saldo" messages spread over warm-up and window; the flooder's answers and notices are counted until the phase ends.`,
    ],
    data: phases.map(({ load: { samples: _samples, ...load }, ...phase }) => ({ ...phase, load })),
  };
}
