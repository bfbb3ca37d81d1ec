/**
 * Draws the Teams app icons (run once; the PNGs are committed): color.png 192x192 (white
 * warning triangle on CBG blue) and outline.png 32x32 (white triangle on transparent).
 * Usage: node dist/scripts/make-icons.js
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';

type Rgba = [number, number, number, number];

function draw(size: number, background: Rgba, foreground: Rgba): Buffer {
  const png = new PNG({ width: size, height: size });
  const inTriangle = (x: number, y: number) => {
    const top = size * 0.2;
    const bottom = size * 0.8;
    if (y < top || y > bottom) return false;
    const half = ((y - top) / (bottom - top)) * size * 0.36;
    return Math.abs(x - size / 2) <= half;
  };
  const inMark = (x: number, y: number) => {
    const cx = size / 2;
    const w = size * 0.045;
    return (Math.abs(x - cx) <= w && y > size * 0.42 && y < size * 0.65) || (Math.hypot(x - cx, y - size * 0.72) <= w * 1.1);
  };
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const triangle = inTriangle(x + 0.5, y + 0.5);
      const mark = inMark(x + 0.5, y + 0.5);
      const colour: Rgba = triangle && !mark ? foreground : triangle && mark ? background : background;
      const i = (size * y + x) << 2;
      png.data[i] = colour[0];
      png.data[i + 1] = colour[1];
      png.data[i + 2] = colour[2];
      png.data[i + 3] = colour[3];
    }
  }
  return PNG.sync.write(png);
}

const dir = path.resolve(__dirname, '../../teamsAppManifest');
writeFileSync(path.join(dir, 'color.png'), draw(192, [0, 84, 166, 255], [255, 255, 255, 255]));
writeFileSync(path.join(dir, 'outline.png'), draw(32, [0, 0, 0, 0], [255, 255, 255, 255]));
process.stdout.write(`icons written to ${dir}\n`);
