// The build-time configuration baked into the app (build/tidings.config.json, inlined by the bundler):
// identity, the default feed, the publisher keys signatures are checked against (P1: built in, no off
// switch) and the hosts links may open without a confirm. Checked once at start-up, so a bad edit fails
// the build's tests instead of a user's machine.
import { z } from 'zod';

export const appConfigSchema = z.strictObject({
  appId: z.string().regex(/^[a-z0-9]+(\.[a-z0-9-]+)+$/),
  productName: z.string().min(1).max(60),
  /** The tracked product's name, as notifications and the Updates screen say it. */
  product: z.string().min(1).max(60),
  defaultFeedUrl: z.url({ protocol: /^https$/ }),
  publisherKeys: z.array(z.strictObject({ keyId: z.string().min(1), publicKey: z.base64() })).max(16),
  allowedHosts: z.array(z.string().regex(/^[a-z0-9.-]+$/)).max(64),
});
export type AppConfig = z.infer<typeof appConfigSchema>;

export function loadAppConfig(raw: unknown): AppConfig {
  return appConfigSchema.parse(raw);
}
