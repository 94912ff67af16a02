// @ts-check
// BlurHash decoding (https://blurha.sh): the hash the server computed for an image becomes a
// tiny blurred picture shown until the thumbnail arrives.

const CHARS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

function decode83(text) {
  let value = 0;
  for (const ch of text) {
    const digit = CHARS.indexOf(ch);
    if (digit < 0) throw new Error("not a blurhash");
    value = value * 83 + digit;
  }
  return value;
}

const toLinear = (v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
};

const toSrgb = (v) => {
  const c = Math.max(0, Math.min(1, v));
  return c <= 0.0031308 ? Math.trunc(c * 12.92 * 255 + 0.5) : Math.trunc((1.055 * c ** (1 / 2.4) - 0.055) * 255 + 0.5);
};

const signPow = (v, exp) => Math.sign(v) * Math.abs(v) ** exp;

/** RGBA pixels (width x height) of `hash`; throws on a malformed hash. */
export function decode(hash, width, height) {
  if (!hash || hash.length < 6) throw new Error("not a blurhash");
  const flag = decode83(hash[0]);
  const nx = (flag % 9) + 1;
  const ny = Math.floor(flag / 9) + 1;
  if (hash.length !== 4 + 2 * nx * ny) throw new Error("blurhash length does not match its components");
  const maximum = (decode83(hash[1]) + 1) / 166;
  const colours = [];
  for (let i = 0; i < nx * ny; i++) {
    if (i === 0) {
      const v = decode83(hash.slice(2, 6));
      colours.push([toLinear(v >> 16), toLinear((v >> 8) & 255), toLinear(v & 255)]);
    } else {
      const v = decode83(hash.slice(4 + i * 2, 6 + i * 2));
      const q = [Math.floor(v / 361), Math.floor(v / 19) % 19, v % 19];
      colours.push(q.map((c) => signPow((c - 9) / 9, 2) * maximum));
    }
  }
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0;
      for (let j = 0; j < ny; j++) {
        for (let i = 0; i < nx; i++) {
          const basis = Math.cos((Math.PI * x * i) / width) * Math.cos((Math.PI * y * j) / height);
          const c = colours[i + j * nx];
          r += c[0] * basis;
          g += c[1] * basis;
          b += c[2] * basis;
        }
      }
      const at = 4 * (x + y * width);
      out[at] = toSrgb(r);
      out[at + 1] = toSrgb(g);
      out[at + 2] = toSrgb(b);
      out[at + 3] = 255;
    }
  }
  return out;
}

const cache = new Map();

/** A data: URL of the placeholder (32 px wide), or null where there is no canvas or the hash is bad. */
export function placeholderUrl(doc, hash, width = 32, height = 32) {
  if (cache.has(hash)) return cache.get(hash);
  let url = null;
  try {
    const canvas = doc.createElement("canvas");
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext("2d");
    ctx.putImageData(new ImageData(decode(hash, width, height), width, height), 0, 0);
    url = canvas.toDataURL();
  } catch {
    url = null;
  }
  cache.set(hash, url);
  return url;
}
