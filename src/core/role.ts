/**
 * What one process runs (`ROLE`), so a shop can split across processes: the chat side and the
 * background work (fulfilment, sweeps, provider watch) scale and restart apart.
 */

/**
 * `all`: everything in one process; `bot`: channels and answers only; `worker`: background work only.
 *
 * @example
 * ROLE: z.preprocess(emptyToUndefined, z.enum(processRoles).default("all")),
 */
export const processRoles = ["all", "bot", "worker"] as const;

/** One of {@link processRoles}. */
export type ProcessRole = (typeof processRoles)[number];
