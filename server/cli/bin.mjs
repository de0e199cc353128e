#!/usr/bin/env node
// The `tidings` command. Node ≥ 22.18 runs the TypeScript sources directly (type stripping).
await import('./main.ts');
