/** Raw HTTP over a socket, for requests no HTTP client would send (broken Host headers, oversized heads). */
import { connect } from "node:net";

/** Sends `request` as written to 127.0.0.1:`port` and reads until the server closes the connection. */
export function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve(text));
  });
}
