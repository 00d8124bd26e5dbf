/**
 * @module
 * The ceiling for `deno task bench`: a bare `Deno.serve` hello world on a
 * free loopback port. Prints `listening <port>`.
 */

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => Deno.stdout.writeSync(new TextEncoder().encode(`listening ${port}\n`)),
}, () => new Response("Hello, world", { headers: { "content-type": "text/plain" } }));
