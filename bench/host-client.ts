/**
 * Forks a bot process (host.ts) and talks to it: requests go out with an id, answers come back
 * with the same id. With BENCH_CPU_PROF=1 the process writes V8 CPU profiles to
 * bench/profiles/<label>-<time>/ when it stops (the largest is the main thread; open it in Chrome
 * DevTools → Performance, or speedscope).
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { compiledHostEntry } from "./compile.js";
import type { HostCommands, HostHello, HostRequest, HostResponse, HostSpec } from "./host-protocol.js";

const hostEntry = fileURLToPath(new URL("./host.ts", import.meta.url));
/** Where CPU profiles go. */
const profileDir = fileURLToPath(new URL("./profiles/", import.meta.url));

/** A running bot process. */
export interface BotHost {
  readonly label: string;
  request<C extends keyof HostCommands>(command: C): Promise<HostCommands[C]>;
  /** Stops the bot (cleaning its Redis keys) and waits for the process to exit. */
  stop(): Promise<void>;
}

/** How to run a bot process. */
export interface HostOptions {
  cpuProfile: boolean;
  nodeOptions?: readonly string[];
  /** Run the JavaScript of compile.ts's {@link compileHost} (call it first) with plain node, not tsx. */
  compiled?: boolean;
}

/** Starts a bot process and resolves once it polls the fake. */
export async function startHost(label: string, spec: HostSpec, options: HostOptions): Promise<BotHost> {
  const execArgv = [...(options.compiled ? [] : ["--import", "tsx"]), "--expose-gc", ...(options.nodeOptions ?? [])];
  if (options.cpuProfile) {
    // One directory per bot: Node writes a profile per thread (tsx's loader runs in its own).
    const dir = `${profileDir}${label}-${Date.now()}`;
    mkdirSync(dir, { recursive: true });
    execArgv.push("--cpu-prof", `--cpu-prof-dir=${dir}`);
  }
  const child = fork(options.compiled ? compiledHostEntry : hostEntry, [], { execArgv, env: { ...process.env, BENCH_HOST_SPEC: JSON.stringify(spec) }, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  try {
    await hello(child, label);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return new Host(label, child);
}

function hello(child: ChildProcess, label: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${label}: bot process not ready within 60 s`)), 60_000);
    child.once("exit", (code) => reject(new Error(`${label}: bot process exited with ${code} before it was ready`)));
    child.once("message", (message: HostHello) => {
      clearTimeout(timer);
      if (message.ready) resolve();
      else reject(new Error(`${label}: bot process failed to start: ${message.error}`));
    });
  });
}

class Host implements BotHost {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  private readonly exited: Promise<void>;

  constructor(
    readonly label: string,
    private readonly child: ChildProcess,
  ) {
    // The bot process is our own code: its answers are trusted to match HostCommands.
    child.on("message", (message: HostResponse) => {
      const waiter = this.pending.get(message.id);
      if (!waiter) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${label}: ${message.error}`));
    });
    this.exited = new Promise((resolve) => {
      child.once("exit", () => {
        for (const waiter of this.pending.values()) waiter.reject(new Error(`${label}: bot process exited`));
        this.pending.clear();
        resolve();
      });
    });
  }

  request<C extends keyof HostCommands>(command: C): Promise<HostCommands[C]> {
    const request: HostRequest = { id: this.nextId++, command };
    return new Promise<HostCommands[C]>((resolve, reject) => {
      this.pending.set(request.id, { resolve: (result) => resolve(result as HostCommands[C]), reject });
      this.child.send(request);
    });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const killer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    await this.request("stop").catch(() => undefined);
    await this.exited;
    clearTimeout(killer);
  }
}
