import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawn, type ChildProcess } from 'node:child_process'
import type { StorageConfig } from '../../server/config'

export interface S3Server {
  endpoint: string
  dir: string
  /** The storage settings of a bucket on this server (s3rver accepts any key pair). */
  config: (bucket: string, more?: Partial<Extract<StorageConfig, { kind: 's3' }>>) => Extract<StorageConfig, { kind: 's3' }>
  stop: () => Promise<void>
}

/** A real S3-compatible server (s3rver) in its own process, on a free port, its buckets in a temporary directory. */
export async function startS3rver(buckets: string[]): Promise<S3Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'civiclink-s3-'))
  const bin = path.join(path.dirname(require.resolve('s3rver/package.json')), 'bin', 's3rver.js')
  const child: ChildProcess = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', '0', ...buckets.flatMap((b) => ['--configure-bucket', b])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const m = /listening on ([\d.]+):(\d+)/.exec(out)
      if (m) resolve(`http://${m[1]}:${m[2]}`)
    })
    child.on('exit', (code) => reject(new Error(`s3rver exited (${code}): ${out}`)))
  })
  return {
    endpoint,
    dir,
    config: (bucket, more = {}) => ({ kind: 's3', bucket, endpoint, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true, prefix: '', presign: false, ...more }),
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}
