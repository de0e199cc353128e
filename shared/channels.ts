// The update channels, described once: their names, and which channels' releases an install on each is
// offered (experimental also gets stable releases). Adding a channel means adding it here, to the
// catalogues (its name and card text) and, if it ranks between others, to the policy's tests.
export const UPDATE_CHANNELS = ['stable', 'experimental'] as const;

export type UpdateChannel = (typeof UPDATE_CHANNELS)[number];

/** The channels whose releases an install following `channel` is offered. */
export const OFFERED_FROM: Readonly<Record<UpdateChannel, readonly UpdateChannel[]>> = {
  stable: ['stable'],
  experimental: ['stable', 'experimental'],
};

export const isUpdateChannel = (c: string): c is UpdateChannel => (UPDATE_CHANNELS as readonly string[]).includes(c);
