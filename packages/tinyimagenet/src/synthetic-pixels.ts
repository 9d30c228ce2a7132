import { IMAGE_SIZE } from './layout';
import type { Rng } from './prng';

/** Converts HSV (each in [0, 1]) to RGB bytes. */
export function hsvToRgb(h: number, s: number, v: number): [number, number, number] {
  const i = Math.floor(h * 6) % 6;
  const f = h * 6 - Math.floor(h * 6);
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  const [r, g, b] = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][i]!;
  return [Math.round(r! * 255), Math.round(g! * 255), Math.round(b! * 255)];
}

/** The visual recipe of one synthetic class. */
export interface ClassStyle {
  background: [number, number, number];
  foreground: [number, number, number];
  /** 0 disc, 1 square, 2 triangle, 3 ring. */
  shape: number;
  /** Stripe direction (radians) and spatial frequency (cycles per image) of the background texture. */
  stripeAngle: number;
  stripeCycles: number;
  description: string;
}

const SHAPES = ['disc', 'square', 'triangle', 'ring'];

/**
 * Class c of n gets: background hue h = frac(c * 0.618034) (golden-ratio spacing), foreground hue
 * h + 0.5, shape c mod 4, stripe angle (c * 47 deg) mod 180 and 2 + (c mod 5) stripe cycles.
 */
export function classStyle(c: number): ClassStyle {
  const h = (c * 0.6180339887) % 1;
  const background = hsvToRgb(h, 0.55 + 0.3 * ((c >> 2) % 2), 0.75);
  const foreground = hsvToRgb((h + 0.5) % 1, 0.8, 0.35 + 0.6 * ((c >> 3) % 2));
  const shape = c % 4;
  const stripeAngle = (((c * 47) % 180) * Math.PI) / 180;
  const stripeCycles = 2 + (c % 5);
  return {
    background,
    foreground,
    shape,
    stripeAngle,
    stripeCycles,
    description: `${SHAPES[shape]} on ${stripeCycles}-cycle stripes at ${(c * 47) % 180} deg`,
  };
}

/** Where the shape of one image goes: centre (cx, cy), radius r, stripe phase. */
export interface Geometry {
  cx: number;
  cy: number;
  r: number;
  phase: number;
  /** Bounding box [x0, y0, x1, y1] of the shape, clipped to the image. */
  box: [number, number, number, number];
}

/** Draws the geometry of one image: radius 10..19, centre so the shape fits, stripe phase. */
export function drawGeometry(rng: Rng): Geometry {
  const S = IMAGE_SIZE;
  const r = 10 + rng.int(10);
  const cx = r + rng.int(S - 2 * r);
  const cy = r + rng.int(S - 2 * r);
  const phase = rng.next() * 2 * Math.PI;
  const box: [number, number, number, number] = [Math.max(0, cx - r), Math.max(0, cy - r), Math.min(S - 1, cx + r), Math.min(S - 1, cy + r)];
  return { cx, cy, r, phase, box };
}

/**
 * Renders one 64x64 RGB image of a class: striped background, the shape at `g`, and per-pixel
 * uniform noise in [-noise, +noise] on every channel (drawn from `rng`).
 */
export function renderImage(style: ClassStyle, g: Geometry, rng: Rng, noise = 28): Uint8Array {
  const S = IMAGE_SIZE;
  const rgb = new Uint8Array(S * S * 3);
  const { r, cx, cy, phase } = g;
  const ca = Math.cos(style.stripeAngle);
  const sa = Math.sin(style.stripeAngle);
  const w = (2 * Math.PI * style.stripeCycles) / S;
  const [br, bg, bb] = style.background;
  const [fr, fg, fb] = style.foreground;
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const dx = x - cx;
      const dy = y - cy;
      let inside: boolean;
      switch (style.shape) {
        case 0:
          inside = dx * dx + dy * dy <= r * r;
          break;
        case 1:
          inside = Math.abs(dx) <= r * 0.8 && Math.abs(dy) <= r * 0.8;
          break;
        case 2:
          inside = dy <= r && dy >= -r && Math.abs(dx) <= (dy + r) / 2;
          break;
        default: {
          const d2 = dx * dx + dy * dy;
          inside = d2 <= r * r && d2 >= r * r * 0.36;
        }
      }
      const o = (y * S + x) * 3;
      let R: number, G: number, B: number;
      if (inside) {
        R = fr;
        G = fg;
        B = fb;
      } else {
        const s = 45 * Math.sin(w * (x * ca + y * sa) + phase);
        R = br + s;
        G = bg + s;
        B = bb + s;
      }
      rgb[o] = clamp(R + (rng.next() * 2 - 1) * noise);
      rgb[o + 1] = clamp(G + (rng.next() * 2 - 1) * noise);
      rgb[o + 2] = clamp(B + (rng.next() * 2 - 1) * noise);
    }
  }
  return rgb;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}

/** ITU-R BT.601 luma: Y = 0.299 R + 0.587 G + 0.114 B, one byte per pixel. */
export function toGray(rgb: Uint8Array): Uint8Array {
  const n = rgb.length / 3;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round(0.299 * rgb[3 * i]! + 0.587 * rgb[3 * i + 1]! + 0.114 * rgb[3 * i + 2]!);
  return out;
}
