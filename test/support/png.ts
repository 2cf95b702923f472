// A minimal PNG encoder for the test server: small, valid, deterministic images (8-bit RGB, no filtering) whose
// pixels are a pure function of a 32-bit seed, so equal requests give byte-identical files.
import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** A width×height gradient-and-stripes picture; colours and stripe period come from `seed`. */
export function makePng(width: number, height: number, seed: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  const raw = Buffer.alloc((width * 3 + 1) * height);
  const r0 = seed & 0xff;
  const g0 = (seed >>> 8) & 0xff;
  const b0 = (seed >>> 16) & 0xff;
  const period = 2 + ((seed >>> 24) % 7);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const p = row + 1 + x * 3;
      const stripe = Math.floor((x + y) / period) % 2 ? 48 : 0;
      raw[p] = (r0 + x * 4 + stripe) & 0xff;
      raw[p + 1] = (g0 + y * 4) & 0xff;
      raw[p + 2] = (b0 + stripe) & 0xff;
    }
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
