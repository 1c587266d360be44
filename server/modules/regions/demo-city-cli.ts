// npm run demo:city -- out.geojson   writes the demo city's FeatureCollection (what DEMO=1 seeds)
import fs from 'node:fs'
import { demoCityGeoJSON } from './demo-city'

const out = process.argv[2]
const text = JSON.stringify(demoCityGeoJSON(), null, 1)
if (out) {
  fs.writeFileSync(out, text)
  console.log(`已写入 ${out}`)
} else process.stdout.write(text)
