/**
 * @module
 * The ceilings for `deno task bench`: a bare `Deno.serve` on a free loopback
 * port. `/` answers a 12-byte hello world; `/bytes/N` answers N bytes of
 * HTML, so a page can be compared with the same bytes served for nothing.
 * Prints `listening <port>`.
 */

const pages = new Map<number, string>();

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => Deno.stdout.writeSync(new TextEncoder().encode(`listening ${port}\n`)),
}, (request) => {
  const size = Number(new URL(request.url).pathname.match(/^\/bytes\/(\d{1,7})$/)?.[1] ?? 0);
  if (!size) return new Response("Hello, world", { headers: { "content-type": "text/plain" } });
  let body = pages.get(size);
  if (!body) pages.set(size, body = "x".repeat(size));
  return new Response(body, { headers: { "content-type": "text/html; charset=UTF-8" } });
});
