/**
 * The layers of DESIGN.md, checked by `npm run check:deps` (and CI): imports point down only, and
 * no file takes part in an import cycle. A layer may import itself and anything below it.
 *
 *   root      main.ts, config.ts, logger.ts, compose/     builds every stage
 *   edges     channels/ admin/ server/                    platform adapters, admin commands, HTTP
 *   bot       bot/                                        router, intents, checkout, buyer features
 *   payments  payments/                                   payment methods
 *   commerce  commerce/                                   orders, wallet, fulfilment, catalog
 *   providers providers/                                  one module per API
 *   infra     store/ jobs/ i18n/                          Redis, queues, text rendering
 *   core      core/                                       shared types and ports; imports nothing of ours
 */
const layers = [
  ["core", "^src/core/"],
  ["infra", "^src/(store|jobs|i18n)/"],
  ["providers", "^src/providers/"],
  ["commerce", "^src/commerce/"],
  ["payments", "^src/payments/"],
  ["bot", "^src/bot/"],
  ["edges", "^src/(channels|admin|server)/"],
];

/** One rule per layer: it must not reach any layer above it (nor the root). */
const upward = layers.map(([name, path], index) => {
  const above = layers.slice(index + 1).map(([, p]) => p.slice(1));
  return {
    name: `${name}-points-down`,
    comment: `${name} may import only itself and the layers below it (see DESIGN.md)`,
    severity: "error",
    from: { path },
    to: { path: `^(${[...above, "src/[^/]+\\.ts$", "src/compose/"].join("|")})` },
  };
});

module.exports = {
  forbidden: [
    {
      name: "no-circular",
      comment: "no file may take part in an import cycle",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "infra-stays-apart",
      comment: "store, jobs and i18n sit side by side: none imports another, so no cycle can run between them",
      severity: "error",
      from: { path: "^src/(store|jobs|i18n)/" },
      to: { path: "^src/(store|jobs|i18n)/", pathNot: "^src/$1/" },
    },
    {
      name: "edges-stay-apart",
      comment: "channels, admin and server meet only in the composition root",
      severity: "error",
      from: { path: "^src/(channels|admin|server)/" },
      to: { path: "^src/(channels|admin|server)/", pathNot: "^src/$1/" },
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    includeOnly: "^src/",
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
