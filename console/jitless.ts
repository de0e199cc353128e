// Imported first by main.tsx, before any schema is built: zod probes for `new Function` to compile
// validators, and under the console's CSP (no 'unsafe-eval') the probe alone is reported as a violation.
// Jitless validation needs no eval (as preview/events-jitless.ts does for the preview).
import { z } from 'zod';

z.config({ jitless: true });
