/**
 * The live quiz WebSocket (GET /api/v1/live/:code/ws): the client offers two subprotocols, this one and then its
 * bearer token (browsers cannot set an Authorization header on a WebSocket; a token in the URL would be logged).
 * A file of its own, without TypeBox, so that the mini-program's main package can import it.
 */
export const LIVE_WS_PROTOCOL = 'civiclink.v1'
