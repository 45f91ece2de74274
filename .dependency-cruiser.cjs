/**
 * The layering of lambdas/ (ARCHITECTURE.md, "Layers"), checked by
 * test/unit/architecture/import-rules.test.ts: no import cycles, and each layer imports only
 * the layers below it.
 */
const layer = (name) => `^lambdas/${name}/`;
const only = (from, forbidden, comment) => ({
  name: `${from}-imports`,
  comment,
  severity: 'error',
  from: { path: layer(from) },
  to: { path: `^lambdas/(${forbidden.join('|')})/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a cycle makes its modules one unit: none may change or load without the others',
      severity: 'error',
      from: { path: '^lambdas/' },
      to: { circular: true },
    },
    only(
      'domain',
      ['adapters', 'api', 'handlers', 'local', 'notify', 'shared', 'wiring'],
      'the domain is pure: it knows no adapter, endpoint or composition root',
    ),
    only(
      'adapters',
      ['api', 'handlers', 'local', 'notify', 'shared', 'wiring'],
      'an adapter implements a domain port and knows nothing above it',
    ),
    only(
      'shared',
      ['adapters', 'api', 'handlers', 'local', 'notify', 'wiring'],
      'shared/ is what every layer may use, so it imports no layer above the domain',
    ),
    only(
      'api',
      ['adapters', 'handlers', 'local', 'notify', 'wiring'],
      'endpoints get adapters as deps',
    ),
    only(
      'notify',
      ['api', 'handlers', 'local', 'wiring'],
      'notification delivery gets adapters as deps',
    ),
    only(
      'wiring',
      ['handlers', 'local'],
      'composition roots are imported by entry points, not the reverse',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    exclude: { path: 'node_modules' },
  },
};
