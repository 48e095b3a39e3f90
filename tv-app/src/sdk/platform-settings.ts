/**
 * What `Launch` is told about this box (platformSettings): the stage size, the remote's key map
 * and colour-key order (read back anywhere with `Settings.get('platform', 'keys')`), and the
 * Router's hash. The Router must not read or write `location.hash`: the hash carries this TV's
 * configuration (tv-app/README.md); the route lives in memory, starting from the config's `route`.
 */
import type { PlatformSettings } from '@lightningjs/sdk';
import type { TvConfig } from '../config.ts';

export function platformSettingsFor(cfg: TvConfig, width: number): PlatformSettings & Record<string, unknown> {
  let hash = cfg.route ? `#${cfg.route}` : '';
  return {
    width,
    height: Math.round((width * 9) / 16),
    keys: cfg.keys,
    colours: cfg.colours,
    inspector: false,
    showFps: false,
    log: false,
    // A TV's alert app never closes itself (Back on Home stays on Home).
    onClose: () => undefined,
    plugins: {
      router: {
        getHash: () => hash,
        setHash: (h: string) => {
          hash = `#${h}`;
        },
      },
    },
  };
}
