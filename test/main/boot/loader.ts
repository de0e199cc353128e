// node --import: resolves 'electron' to the shim, for booting the built main bundle in plain Node.
import { register } from 'node:module';

register(new URL('./hooks.ts', import.meta.url));
