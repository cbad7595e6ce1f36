import { createServer, request as httpRequest } from "node:http";

/**
 * A judge endpoint in front of the real one: for each request (counted from 0) it forwards, or answers
 * with the status the rule gives (401 a refused key, 503 an outage).
 */
export async function judgeStandIn(
  target: string,
  rule: (
    served: number,
    body: string,
    headers: Record<string, string | string[] | undefined>,
  ) => "forward" | number | { status: number; body: string },
) {
  let served = 0;
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const answer = rule(served++, body.toString(), req.headers);
      if (typeof answer === "object") {
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(answer.body);
        return;
      }
      if (answer !== "forward") {
        res.writeHead(answer, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ error: { message: answer === 401 ? "No auth credentials found" : "down" } }),
        );
        return;
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (reply) => {
          res.writeHead(reply.statusCode ?? 502, reply.headers);
          reply.pipe(res);
        },
      );
      forward.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`,
    served: () => served,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}
