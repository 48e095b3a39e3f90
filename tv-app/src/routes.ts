/**
 * The Router's pages (Lightning SDK `Router`): one route per screen. Every page is created at
 * start (the Router's `lazyCreate` is off): the alert takeover must be built before the first alert
 * arrives (docs/PLATFORM.md: cold ≈ 0.5 s against ≈ 0.2 s warm), and the card screens keep their
 * state under an alert. Pages keep the refs the browser tests look for (`[ref="Home"]`, …).
 *
 * History: Home clears it (Back never leads from Home into a finished task); an alert is never
 * stored in it, so Back or closing an alert returns to the screen the alert interrupted.
 */
import type { Router } from '@lightningjs/sdk';
import { AlertTakeover } from './pages/AlertTakeover/index.ts';
import { FlowScreen } from './pages/FlowScreen/index.ts';
import { Home } from './pages/Home/index.ts';
import { Placeholder } from './pages/Placeholder/index.ts';
import { Settings } from './pages/Settings/index.ts';

/** The screen under the takeover. */
export type Page = 'home' | 'settings' | 'flow' | 'placeholder';
export type RoutePage = Page | 'alert';

const PAGE_OF: Record<string, RoutePage> = {
  home: 'home',
  settings: 'settings',
  'flow/:kind': 'flow',
  'offline/:kind': 'placeholder',
  'alert/:alertId': 'alert',
};

type Config = Parameters<typeof Router.startRouter>[0];

export interface RouteHooks {
  /** May the Router show `alert/<id>`? true, or the route to show instead (the alert on screen, or Home). */
  allowAlert(alertId: string): true | string;
  /** A page is on screen (after every navigation, Back included). */
  routed(page: RoutePage): void;
}

export function routerConfig(hooks: RouteHooks): Config {
  return {
    root: 'home',
    // The location hash holds the TV's configuration: the route lives in memory (sdk/platform-settings.ts).
    updateHash: false,
    routes: [
      { path: 'home', component: Home, options: { clearHistory: true } },
      { path: 'settings', component: Settings },
      { path: 'flow/:kind', component: FlowScreen },
      { path: 'offline/:kind', component: Placeholder },
      { path: 'alert/:alertId', component: AlertTakeover, options: { preventStorage: true } },
    ],
    beforeEachRoute: (_from, to) => {
      const id = /^alert\/(.+)$/.exec(to.hash)?.[1];
      return Promise.resolve(id === undefined ? true : hooks.allowAlert(id)) as Promise<boolean>;
    },
    afterEachRoute: (request) => {
      const page = request.route ? PAGE_OF[request.route.path] : undefined;
      if (page) hooks.routed(page);
    },
  } as Config;
}
