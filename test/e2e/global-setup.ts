// Builds the renderer once for the whole browser run (production build: the strict CSP holds).
import { buildRenderer } from '../../preview/build.ts';
import { rendererDir } from './fixtures.ts';

export default async function globalSetup(): Promise<void> {
  await buildRenderer(rendererDir, true, true);
}
