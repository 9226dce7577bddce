/** Writing answers through the replies seam (reference/seams.ts): every Reply and every error passes its hook first. */
import type { ServerResponse } from 'node:http';
import type { Ctx } from './context';
import type { HttpError } from './errors';
import { sendEmpty, sendError, sendJson } from './http';
import type { Exchange, Reply } from './seams';

/** Writes a handler's reply after the replies seam. */
export function answer(ctx: Ctx, res: ServerResponse, reply: Reply, ex: Exchange): void {
  const r = ctx.replies.reply(reply, ex);
  if (r.body === undefined) sendEmpty(res, r.status, r.headers);
  else sendJson(res, r.status, r.body, r.headers);
}

/** Writes an error answer after the replies seam. */
export function answerError(ctx: Ctx, res: ServerResponse, error: HttpError, ex: Exchange): void {
  sendError(res, ctx.replies.error(error, ex));
}
