import type * as http from 'node:http';

/** Rewrites status, headers (Content-Length left out) and body of a complete response: a broken target for tests. */
export type ResponseRewrite = (status: number, headers: http.OutgoingHttpHeaders, body: Buffer) => [number, http.OutgoingHttpHeaders, Buffer];

/** Holds back what a handler writes to `res` and sends it through `rewrite` when the handler ends the response. */
export function rewriteResponse(res: http.ServerResponse, rewrite: ResponseRewrite): void {
  const chunks: Buffer[] = [];
  const writeHead = res.writeHead.bind(res);
  const end = res.end.bind(res);
  let head: [number, http.OutgoingHttpHeaders] = [200, {}];
  res.writeHead = ((status: number, headers?: http.OutgoingHttpHeaders) => {
    head = [status, { ...(headers ?? {}) }];
    return res;
  }) as typeof res.writeHead;
  res.write = ((chunk: unknown) => {
    if (chunk) chunks.push(Buffer.from(chunk as Buffer));
    return true;
  }) as typeof res.write;
  res.end = ((chunk?: unknown) => {
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Buffer));
    const headers = Object.fromEntries(Object.entries(head[1]).filter(([k]) => k.toLowerCase() !== 'content-length'));
    const [status, outHeaders, out] = rewrite(head[0], headers, Buffer.concat(chunks));
    writeHead(status, { ...outHeaders, 'Content-Length': out.length });
    return end(out);
  }) as typeof res.end;
}
