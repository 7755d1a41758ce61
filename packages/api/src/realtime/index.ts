/**
 * The realtime transport without a transport: the frames of the chat and coordinates sockets,
 * the sessions behind them, and the QR status event stream. Shells drive them over their own
 * sockets and responses; the web client decodes the same frames.
 */
export * from "./ChatSocketSession.js"
export * from "./CoordinatesSocketSession.js"
export * from "./QrStatusEvents.js"
export * from "./RealtimeFrames.js"
export * from "./RealtimeSocket.js"
