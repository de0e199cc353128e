// Imported first by events-entry.ts, so it runs before the contract's schemas are built: zod decides at
// construction whether to compile a validator with `new Function`, probing for it, and under the page's
// CSP (no 'unsafe-eval') the probe alone is reported as a violation. Jitless validation needs no eval.
import { z } from 'zod';

z.config({ jitless: true });
