/**
 * A minimal RFC 6455 WebSocket server on 127.0.0.1 for the connection tests:
 * real TCP, real handshake, real frames, so the client under test is the same code
 * that runs in the browser (Node 22's WebSocket is the WHATWG one). Text frames,
 * close, ping only; enough for JSON messages up to 64 KiB.
 */
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export interface TestPeer {
  send(text: string): void;
  close(code: number, reason?: string): void;
  /** Cut the TCP connection without a close frame, as a network failure does. */
  destroy(): void;
  readonly open: boolean;
}

export interface TestWsServer {
  url: string;
  peers: TestPeer[];
  stop(): Promise<void>;
}

export async function startTestWsServer(onConnect: (peer: TestPeer) => (text: string) => void): Promise<TestWsServer> {
  const peers: TestPeer[] = [];
  const sockets = new Set<Duplex>();
  const server: Server = createServer((_req, res) => res.writeHead(426).end());
  server.on("upgrade", (req, socket: Duplex) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    const key = req.headers["sec-websocket-key"];
    if (typeof key !== "string") return socket.destroy();
    const accept = createHash("sha1").update(key + GUID).digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    let open = true;
    const peer: TestPeer = {
      send: (text) => {
        if (open) socket.write(frame(0x1, Buffer.from(text)));
      },
      close: (code, reason = "") => {
        if (!open) return;
        open = false;
        const body = Buffer.alloc(2 + Buffer.byteLength(reason));
        body.writeUInt16BE(code, 0);
        body.write(reason, 2);
        socket.end(frame(0x8, body));
      },
      destroy: () => {
        open = false;
        socket.destroy();
      },
      get open() {
        return open;
      },
    };
    peers.push(peer);
    const onText = onConnect(peer);
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const f = readFrame(buf);
        if (f === null) break;
        buf = buf.subarray(f.size);
        if (f.opcode === 0x1) onText(f.payload.toString("utf8"));
        else if (f.opcode === 0x9) socket.write(frame(0xa, f.payload));
        else if (f.opcode === 0x8 && open) {
          open = false;
          socket.end(frame(0x8, f.payload.subarray(0, 2)));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const addr = server.address();
  if (addr === null || typeof addr === "string") throw new Error("no port");
  return {
    url: `ws://127.0.0.1:${addr.port}/api/events/ws`,
    peers,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
  if (len > 0xffff) throw new Error("test server frames are limited to 64 KiB");
  return Buffer.concat([head, payload]);
}

function readFrame(buf: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (buf.length < 2) return null;
  const b0 = buf.readUInt8(0);
  const b1 = buf.readUInt8(1);
  let len = b1 & 0x7f;
  let off = 2;
  if (len === 126) {
    if (buf.length < 4) return null;
    len = buf.readUInt16BE(2);
    off = 4;
  } else if (len === 127) {
    if (buf.length < 10) return null;
    len = Number(buf.readBigUInt64BE(2));
    off = 10;
  }
  const masked = (b1 & 0x80) !== 0;
  const maskLen = masked ? 4 : 0;
  if (buf.length < off + maskLen + len) return null;
  const payload = Buffer.from(buf.subarray(off + maskLen, off + maskLen + len));
  if (masked) for (let i = 0; i < len; i++) payload[i] = (payload[i] ?? 0) ^ (buf[off + (i % 4)] ?? 0);
  return { opcode: b0 & 0x0f, payload, size: off + maskLen + len };
}
