// The local stand-in for WeChat's API (server/platform/fake-wechat.ts) as a process of its own, for the benchmarks:
// in production WeChat's half of a content check runs on WeChat's machines, not in the API process. Its appid and
// secret come from FAKE_WECHAT_APPID and FAKE_WECHAT_SECRET; prints its base URL on the first line of stdout; stops
// when stdin closes (its parent went away).
import { buildFakeWechat } from '../server/platform/fake-wechat'

async function main() {
  const app = buildFakeWechat({ appId: process.env.FAKE_WECHAT_APPID ?? '', secret: process.env.FAKE_WECHAT_SECRET ?? '' })
  process.stdout.write(`${await app.listen({ port: 0, host: '127.0.0.1' })}\n`)
  process.stdin.resume()
  process.stdin.on('end', () => void app.close().then(() => process.exit(0)))
}

void main()
