import net from 'node:net'

export interface TcpProxy {
  port: number
  /** Every connection reset and new ones refused: the engine is down. */
  cut: () => void
  /** New connections accepted but never answered, open ones silent: the engine hangs (or a network partition). */
  blackhole: () => void
  /** Back to forwarding: the engine is up again. */
  restore: () => void
  close: () => Promise<void>
}

/** A TCP forwarder in front of PostgreSQL or Redis that a test can take down and bring back without touching the engine. */
export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  let mode: 'up' | 'cut' | 'blackhole' = 'up'
  const pairs = new Set<[net.Socket, net.Socket | null]>()
  const server = net.createServer((client) => {
    if (mode === 'cut') return client.resetAndDestroy()
    const pair: [net.Socket, net.Socket | null] = [client, null]
    pairs.add(pair)
    client.on('error', () => undefined)
    client.on('close', () => {
      pair[1]?.destroy()
      pairs.delete(pair)
    })
    if (mode === 'blackhole') return
    const upstream = net.connect(targetPort, targetHost)
    pair[1] = upstream
    upstream.on('error', () => client.destroy())
    upstream.on('close', () => client.destroy())
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const dropAll = () => {
    for (const [c, u] of pairs) {
      // a reset after our side has ended (the engine closed first and the pipe passed it on) fails with EINVAL and
      // leaves the socket in the event loop, spinning a core for ever (Node 20, libuv 1.46): that one is just closed
      if (c.writableEnded) c.destroy()
      else c.resetAndDestroy()
      u?.destroy()
    }
    pairs.clear()
  }
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      mode = 'cut'
      dropAll()
    },
    blackhole() {
      mode = 'blackhole'
      // open connections go silent: nothing more is forwarded either way
      for (const [c, u] of pairs) {
        c.unpipe()
        u?.unpipe()
        c.pause()
      }
    },
    restore() {
      mode = 'up'
      // the silent connections stay dead (as after a partition); clients notice through their own timeouts
    },
    close: () =>
      new Promise<void>((resolve) => {
        dropAll()
        server.close(() => resolve())
      }),
  }
}
