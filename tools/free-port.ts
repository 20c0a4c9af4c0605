/** A TCP port on 127.0.0.1 that nothing listens on right now (the OS picks it), for local test servers. */
import * as net from "net";

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const probe = net.createServer();
        probe.once("error", reject);
        probe.listen(0, "127.0.0.1", () => {
            const port = (probe.address() as net.AddressInfo).port;
            probe.close(() => resolve(port));
        });
    });
}
