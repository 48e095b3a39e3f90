/**
 * Who may import whom (docs/ARCHITECTURE.md, "Rules between the parts"), checked by `npm run lint`.
 *
 *   contract                      the wire contract: imports no other part
 *   core                          every server's base: contract only
 *   jpki, broker                  contract and core
 *   municipal-console, insurer-gateway, evacuation-center, tv-app
 *                                 the lower parts above; never each other
 *   system                        the launcher and the cross-part tests: everything
 *   test-utils                    test helpers: contract and core; imported by tests (and benchmarks) only
 */
const PARTS = 'contract|core|jpki|broker|municipal-console|insurer-gateway|evacuation-center|tv-app|system|test-utils';
const APPS = 'municipal-console|insurer-gateway|evacuation-center|tv-app';
const not = (allowed) =>
  `^(${PARTS.split('|')
    .filter((p) => !allowed.includes(p))
    .join('|')})/`;

module.exports = {
  forbidden: [
    {
      name: 'contract-is-the-bottom',
      comment: 'contract/ is the wire contract every part shares: it imports no other part.',
      severity: 'error',
      from: { path: '^contract/' },
      to: { path: not(['contract']) },
    },
    {
      name: 'core-above-contract-only',
      severity: 'error',
      from: { path: '^core/' },
      to: { path: not(['core', 'contract', 'test-utils']) },
    },
    {
      name: 'jpki-and-broker-above-core-only',
      comment: 'The card/PKI layer and the broker stand on contract and core, and on nothing above them.',
      severity: 'error',
      from: { path: '^(jpki|broker)/' },
      to: { path: not(['jpki', 'broker', 'core', 'contract', 'test-utils']) },
    },
    {
      name: 'jpki-and-broker-are-independent',
      severity: 'error',
      from: { path: '^jpki/' },
      to: { path: '^broker/' },
    },
    {
      name: 'broker-does-not-use-jpki',
      severity: 'error',
      from: { path: '^broker/' },
      to: { path: '^jpki/' },
    },
    {
      name: 'apps-never-import-each-other',
      comment:
        'The console, the gateway, the shelter terminal and the TV meet only through contract/ (and the broker); ' +
        'a test or benchmark that needs two of them belongs in system/.',
      severity: 'error',
      from: { path: `^(${APPS})/` },
      to: { path: `^(${APPS})/`, pathNot: '^$1/' },
    },
    {
      name: 'only-system-sees-the-launcher',
      severity: 'error',
      from: { pathNot: '^system/' },
      to: { path: '^system/' },
    },
    {
      name: 'test-utils-only-in-tests',
      comment: 'Shipped code never imports the test helpers.',
      severity: 'error',
      from: { path: `^(${PARTS})/(src|server|web)/`, pathNot: '^test-utils/' },
      to: { path: '^test-utils/' },
    },
    {
      name: 'test-utils-above-core-only',
      severity: 'error',
      from: { path: '^test-utils/' },
      to: { path: not(['test-utils', 'core', 'contract']) },
    },
    {
      name: 'no-relative-reach-into-another-part',
      comment: 'Another part is imported by its package name and public entry points, never by ../../ path.',
      severity: 'error',
      from: { path: `^(${PARTS})/` },
      to: { path: `^(${PARTS})/`, pathNot: '^$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'no-circular',
      comment: 'Import cycles make modules impossible to read (or load) one at a time.',
      severity: 'error',
      from: { path: `^(${PARTS})/` },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|\\.data|test-output)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    preserveSymlinks: false,
    combinedDependencies: false,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default', 'node'] },
  },
};
