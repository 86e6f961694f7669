/**
 * Counting Redis work, from both ends.
 *
 * Client side (exact, this client only): every command goes through `sendCommand`; a command
 * sent on its own is one round trip, while a pipeline (or MULTI/EXEC) hands all its commands
 * to `sendCommand` with the same pipeline stream and costs one round trip for the lot.
 *
 * Server side (cross-check): `INFO commandstats` / `total_commands_processed` before and after.
 * That Redis is shared (BullMQ's connections, other processes on the machine), so its deltas are
 * an upper bound, and commands run inside Lua scripts show up there but not on the client.
 */
import type { Redis } from "ioredis";

/** Redis work seen by one client since it was wrapped. */
export interface RedisCounts {
  roundTrips: number;
  commands: number;
  /** Commands by name (lower case). */
  byCommand: Record<string, number>;
}

/** The difference between two counts. */
export function diffCounts(before: RedisCounts, after: RedisCounts): RedisCounts {
  const byCommand: Record<string, number> = {};
  for (const [name, count] of Object.entries(after.byCommand)) {
    const delta = count - (before.byCommand[name] ?? 0);
    if (delta > 0) byCommand[name] = delta;
  }
  return { roundTrips: after.roundTrips - before.roundTrips, commands: after.commands - before.commands, byCommand };
}

/** Wraps `redis.sendCommand` to count; returns a function reading the counts so far. */
export function countRedis(redis: Redis): () => RedisCounts {
  const counts: RedisCounts = { roundTrips: 0, commands: 0, byCommand: {} };
  const pipelines = new WeakSet<object>();
  const original = redis.sendCommand.bind(redis);
  redis.sendCommand = (...args: Parameters<Redis["sendCommand"]>) => {
    const [command, stream] = args;
    counts.commands += 1;
    counts.byCommand[command.name] = (counts.byCommand[command.name] ?? 0) + 1;
    if (stream === undefined) counts.roundTrips += 1;
    else if (!pipelines.has(stream)) {
      pipelines.add(stream);
      counts.roundTrips += 1;
    }
    return original(...args);
  };
  return () => ({ ...counts, byCommand: { ...counts.byCommand } });
}

/** What the Redis server has executed so far, for all clients. */
export interface ServerCounts {
  totalCommands: number;
  /** Calls by command name, from INFO commandstats. */
  byCommand: Record<string, number>;
}

/** Reads the server-wide command counters. */
export async function serverCounts(redis: Redis): Promise<ServerCounts> {
  const [stats, commandstats] = await Promise.all([redis.info("stats"), redis.info("commandstats")]);
  const total = /total_commands_processed:(\d+)/.exec(stats)?.[1];
  const byCommand: Record<string, number> = {};
  for (const match of commandstats.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (match[1] !== undefined && match[2] !== undefined) byCommand[match[1]] = Number(match[2]);
  }
  return { totalCommands: Number(total ?? 0), byCommand };
}

/** Server-side commands executed between two readings (the readings' own INFO calls excluded). */
export function diffServer(before: ServerCounts, after: ServerCounts): ServerCounts {
  const byCommand: Record<string, number> = {};
  for (const [name, calls] of Object.entries(after.byCommand)) {
    const delta = calls - (before.byCommand[name] ?? 0);
    if (delta > 0 && name !== "info") byCommand[name] = delta;
  }
  // Each reading is two INFO calls, counted in total_commands_processed of the later reading.
  return { totalCommands: after.totalCommands - before.totalCommands - 2, byCommand };
}
