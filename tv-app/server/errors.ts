/** Coded errors of the TV applet's server side (one registry for the part). */
import { defineErrors } from '@kizuna/core';

export const tvErrors = defineErrors({
  KZ_TV_BUNDLE_MISSING: {
    message: 'the TV applet bundle is not built (run buildTvBundle() or `npm run build -w tv-app`)',
    status: 500,
  },
  KZ_TV_BUILD_FAILED: { message: 'building the TV applet bundle failed', status: 500 },
});
