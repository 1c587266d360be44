import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn } from 'node:child_process'
import { ConfigError, loadConfig } from '../../server/config'

describe('demo mode is never on beside a real SMS gateway or WeChat appid', () => {
  const NPM_START = { CIVICLINK_DEMO_DEFAULT: '1' } // what scripts/start.mjs sets

  it('npm start without a gateway or appid is demo; plain serve is not', () => {
    expect(loadConfig(NPM_START).demo).toBe(true)
    expect(loadConfig({}).demo).toBe(false)
  })

  it('npm start with SMS_GATEWAY_URL or WECHAT_APPID is not demo', () => {
    expect(loadConfig({ ...NPM_START, SMS_GATEWAY_URL: 'https://sms.example.cn/send' }).demo).toBe(false)
    expect(loadConfig({ ...NPM_START, WECHAT_APPID: 'wx1234567890abcdef' }).demo).toBe(false)
  })

  it('DEMO=1 asked for beside either is refused, naming the variables', () => {
    for (const env of [{ SMS_GATEWAY_URL: 'https://sms.example.cn/send' }, { WECHAT_APPID: 'wx1234567890abcdef' }]) {
      for (const demo of ['1', 'true', 'on']) {
        const load = () => loadConfig({ ...NPM_START, ...env, DEMO: demo })
        expect(load).toThrow(ConfigError)
        expect(load).toThrow(new RegExp(`DEMO=1.*${Object.keys(env)[0]}`))
      }
    }
    expect(() => loadConfig({ DEMO: '1', SMS_GATEWAY_URL: 'https://sms.example.cn/send', WECHAT_APPID: 'wx1' })).toThrow(/SMS_GATEWAY_URL、WECHAT_APPID/)
  })

  it('DEMO=0 turns npm start\'s demo off; DEMO=1 alone is demo', () => {
    expect(loadConfig({ ...NPM_START, DEMO: '0' }).demo).toBe(false)
    expect(loadConfig({ DEMO: '1' }).demo).toBe(true)
    expect(loadConfig({ DEMO: '0', SMS_GATEWAY_URL: 'https://sms.example.cn/send' }).demo).toBe(false)
  })
})

describe('TRUST_PROXY', () => {
  it('trusts nobody unless configured', () => {
    for (const v of [undefined, '', 'false', '0', 'off']) expect(loadConfig({ TRUST_PROXY: v }).trustProxy).toBe(false)
  })

  it('takes a hop count, or addresses, CIDRs and proxy-addr names', () => {
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2)
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 172.16.0.0/12,::1,fd00::/8,loopback' }).trustProxy)
      .toEqual(['10.0.0.1', '172.16.0.0/12', '::1', 'fd00::/8', 'loopback'])
  })

  it('refuses what it cannot read — "true" (everyone) included — with the variable named', () => {
    for (const v of ['true', 'nginx', '10.0.0.1/33', '10.0.0.300', '10.0.0.1/8/1', '::1/129', ',']) {
      expect(() => loadConfig({ TRUST_PROXY: v })).toThrow(ConfigError)
      expect(() => loadConfig({ TRUST_PROXY: v })).toThrow(/TRUST_PROXY/)
    }
  })
})

describe('the server with a refused configuration', () => {
  it('exits with the message before touching any database', async () => {
    const dataDir = path.join(os.tmpdir(), `civiclink-refused-${process.pid}`)
    const { PORT: _p, DATABASE_URL: _d, ...env } = process.env
    const child = spawn(process.execPath, ['--import', 'tsx', path.resolve(__dirname, '../../server/main.ts')], {
      env: { ...env, CIVICLINK_DEMO_DEFAULT: '1', DEMO: '1', SMS_GATEWAY_URL: 'https://sms.example.cn/send', DATA_DIR: dataDir, PORT: '0' },
    })
    try {
      let stderr = ''
      child.stderr.on('data', (b) => { stderr += String(b) })
      // before the fix it started in demo mode and kept running: this wait then ends with the test's timeout
      const code = await new Promise((resolve) => child.on('exit', resolve))
      expect(code).toBe(2)
      expect(stderr).toMatch(/DEMO=1.*SMS_GATEWAY_URL/)
      expect(fs.existsSync(dataDir)).toBe(false)
    } finally {
      child.kill()
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
