// A tiny PNG encoder and the Tidings icon drawn in code: the tray needs four state icons at runtime and the
// packager needs an icon set (build/make-icons.ts), and neither is worth an image toolchain.
import { deflateSync } from 'node:zlib';

export type IconState = 'normal' | 'unread' | 'update' | 'attention';

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** Encodes RGBA pixels (width*height*4 bytes) as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

type Rgb = [number, number, number];
const BRAND: Rgb = [53, 88, 212];
const BADGE: Record<Exclude<IconState, 'normal'>, Rgb> = { unread: [40, 130, 240], update: [30, 150, 70], attention: [225, 120, 20] };

/** The white glyph inside a state badge, in badge units (u, v in -1…1, v down): ux.md's dot · arrow ·
 * exclamation, so the states differ by shape and not by colour alone. */
function glyph(state: Exclude<IconState, 'normal'>, u: number, v: number): boolean {
  switch (state) {
    case 'unread': return false; // the badge itself is the dot
    case 'update': // a download arrow: shaft, then a head pointing down
      return (Math.abs(u) <= 0.22 && v >= -0.7 && v <= 0.05) || (v >= 0 && v <= 0.7 && Math.abs(u) <= 0.7 - v);
    case 'attention': // "!": a bar and a dot
      return (Math.abs(u) <= 0.2 && v >= -0.7 && v <= 0.2) || Math.hypot(u, v - 0.55) <= 0.2;
  }
}

/** The Tidings mark: a blue disc with a white wave line; a badge bottom-right shows the state. */
export function drawIcon(size: number, state: IconState = 'normal'): Buffer {
  const px = new Uint8Array(size * size * 4);
  const put = (x: number, y: number, [r, g, b]: Rgb, a = 255) => {
    const i = (y * size + x) * 4;
    px[i] = r; px[i + 1] = g; px[i + 2] = b; px[i + 3] = a;
  };
  const c = (size - 1) / 2;
  const R = size * 0.46;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      if (d > R) continue;
      // A sine "tide" across the middle, about a tenth of the icon thick.
      const wave = c + Math.sin(((x - c) / R) * Math.PI) * size * 0.12;
      put(x, y, Math.abs(y - wave) < Math.max(1, size * 0.06) ? [255, 255, 255] : BRAND);
    }
  }
  if (state !== 'normal') {
    const br = size * 0.22;
    const bx = size - br - 0.5;
    const by = size - br - 0.5;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const d = Math.hypot(x - bx, y - by);
        if (d <= br + size * 0.05) put(x, y, [255, 255, 255]);
        if (d <= br) put(x, y, glyph(state, (x - bx) / br, (y - by) / br) ? [255, 255, 255] : BADGE[state]);
      }
    }
  }
  return encodePng(size, size, px);
}
