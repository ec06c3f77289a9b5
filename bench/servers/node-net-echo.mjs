// Raw Node `net` echo server: the baseline of the echo benchmark.
import net from "node:net";
const server = net.createServer({ noDelay: true }, (s) => {
  s.on("data", (d) => s.write(d));
  s.on("error", () => {});
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => {
  console.log(`READY ${server.address().port}`);
});
