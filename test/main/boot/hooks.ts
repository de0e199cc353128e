// Module resolution hook: 'electron' → electron-shim.ts; everything else as usual.
type Resolve = (specifier: string, context: unknown) => Promise<{ url: string; shortCircuit?: boolean }>;

export async function resolve(specifier: string, context: unknown, next: Resolve): Promise<{ url: string; shortCircuit?: boolean }> {
  if (specifier === 'electron') return { url: new URL('./electron-shim.ts', import.meta.url).href, shortCircuit: true };
  return next(specifier, context);
}
