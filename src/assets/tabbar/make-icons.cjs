// Draws the six tab-bar icons (81×81 PNG, normal + selected) with nothing but zlib.
// Run: node src/assets/tabbar/make-icons.cjs — the PNGs it writes are committed.
const fs = require('node:fs')
const path = require('node:path')
const zlib = require('node:zlib')

const S = 81
const GREY = [0x8a, 0x8f, 0x99]
const RED = [0xd9, 0x30, 0x26]

function crc32(buf) {
  let c, crc = 0xffffffff
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    crc = (crc >>> 8) ^ c
  }
  return (crc ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type), data])
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
function png(alpha, rgb) {
  const raw = Buffer.alloc((S * 4 + 1) * S)
  for (let y = 0; y < S; y++) {
    raw[y * (S * 4 + 1)] = 0
    for (let x = 0; x < S; x++) {
      const o = y * (S * 4 + 1) + 1 + x * 4
      raw[o] = rgb[0]; raw[o + 1] = rgb[1]; raw[o + 2] = rgb[2]
      raw[o + 3] = Math.round(Math.max(0, Math.min(1, alpha[y * S + x])) * 255)
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(S, 0); ihdr.writeUInt32BE(S, 4)
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ])
}
// Shapes as coverage functions, sampled 4×4 per pixel for anti-aliasing.
function render(inside) {
  const a = new Float32Array(S * S)
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) {
    let hit = 0
    for (let sy = 0; sy < 4; sy++) for (let sx = 0; sx < 4; sx++) if (inside(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4)) hit++
    a[y * S + x] = hit / 16
  }
  return a
}
const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r
const ring = (cx, cy, r, w) => (x, y) => { const d = Math.hypot(x - cx, y - cy); return d <= r && d >= r - w }
const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1
const tri = (ax, ay, bx, by, cx, cy) => (x, y) => {
  const s = (px, py, qx, qy, rx, ry) => (px - rx) * (qy - ry) - (qx - rx) * (py - ry)
  const d1 = s(x, y, ax, ay, bx, by), d2 = s(x, y, bx, by, cx, cy), d3 = s(x, y, cx, cy, ax, ay)
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0))
}
const or = (...fs) => (x, y) => fs.some((f) => f(x, y))
const minus = (f, g) => (x, y) => f(x, y) && !g(x, y)

const home = or(tri(40.5, 10, 8, 40, 73, 40), minus(rect(17, 38, 64, 70), rect(34, 50, 47, 70)))
const camera = or(
  minus(rect(10, 26, 71, 66), circle(40.5, 46, 14)),
  ring(40.5, 46, 10, 4), rect(28, 17, 53, 27),
)
const mine = or(circle(40.5, 27, 14), minus(circle(40.5, 80, 32), rect(0, 72, 81, 81)))

const out = __dirname
for (const [name, shape] of [['home', home], ['report', camera], ['mine', mine]]) {
  const a = render(shape)
  fs.writeFileSync(path.join(out, `${name}.png`), png(a, GREY))
  fs.writeFileSync(path.join(out, `${name}-active.png`), png(a, RED))
}
console.log('tab-bar icons written to', out)
