// Recognises the image files a text-to-image endpoint returns (PNG, JPEG, WebP, GIF) and reads their pixel size
// from the header. An answer that is not one of these is a malformed response, retried like invalid JSON:
// bytes that merely decode from base64 are not an image.

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif';

export interface ImageInfo {
  format: ImageFormat;
  width: number;
  height: number;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function sniffImage(b: Buffer): ImageInfo | undefined {
  if (b.length >= 24 && b.subarray(0, 8).equals(PNG_SIGNATURE) && b.toString('latin1', 12, 16) === 'IHDR') {
    return positive({ format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) });
  }
  if (b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpegSize(b);
  if (b.length >= 30 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return webpSize(b);
  if (b.length >= 10 && (b.toString('latin1', 0, 6) === 'GIF87a' || b.toString('latin1', 0, 6) === 'GIF89a')) {
    return positive({ format: 'gif', width: b.readUInt16LE(6), height: b.readUInt16LE(8) });
  }
  return undefined;
}

function positive(i: ImageInfo): ImageInfo | undefined {
  return i.width > 0 && i.height > 0 ? i : undefined;
}

/** Walks JPEG segments to the first start-of-frame marker, which holds the size. */
function jpegSize(b: Buffer): ImageInfo | undefined {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1]!;
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    const len = b.readUInt16BE(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return positive({ format: 'jpeg', height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) });
    }
    i += 2 + len;
  }
  return undefined;
}

function webpSize(b: Buffer): ImageInfo | undefined {
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return positive({ format: 'webp', width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) });
  if (chunk === 'VP8 ') return positive({ format: 'webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff });
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return positive({ format: 'webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) });
  }
  return undefined;
}

export const IMAGE_EXTENSIONS: Record<ImageFormat, string> = { png: 'png', jpeg: 'jpg', webp: 'webp', gif: 'gif' };
