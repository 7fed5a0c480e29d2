/**
 * A loopback TCP proxy whose target can be switched, as a DNS name, a virtual IP or a Kubernetes
 * Service moves to a new Redis primary after a failover: connections opened after `retarget` reach the
 * new target, connections already open stay with the old one. `strand` leaves the connections already
 * open without answers, as a network partition does to a host that went away without closing them.
 * `cutReplyTo` closes a connection after its request reached the server and before the answer came
 * back, as a connection lost at that moment does.
 */
import { connect, createServer, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  url: string;
  retarget(port: number): void;
  /** Connections open now are kept open but carry nothing more, either way. */
  strand(): void;
  /**
   * Once: the first request sent through the proxy whose bytes contain `marker` reaches the target,
   * and the target's next answer on that connection is dropped with the connection (both ends closed).
   */
  cutReplyTo(marker: string): void;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let target = targetPort;
  let cutMarker: string | undefined;
  const sockets = new Set<Socket>();
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect(target, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    }
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    client.once("close", () => pairs.delete(pair));
    let cutNextAnswer = false;
    client.on("data", (chunk: Buffer) => {
      if (cutMarker !== undefined && chunk.includes(cutMarker)) {
        cutMarker = undefined;
        cutNextAnswer = true;
      }
    });
    // Before the pipe's own listener: the answer is dropped, never written to the client.
    upstream.on("data", () => {
      if (cutNextAnswer) drop();
    });
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    retarget: (next) => {
      target = next;
    },
    strand: () => {
      for (const [client, upstream] of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
      pairs.clear();
    },
    cutReplyTo: (marker) => {
      cutMarker = marker;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
