// conversation/summarise.ts's CompleteText over the account pool: one short, non-rendered
// completion (the truncation summary) whose answer is the concatenated text of Kiro's
// assistantResponse events. Lives in the pipeline so conversation/ never reaches the pool.
import type { AccountPool } from '../accounts/pool/pool-types.ts';
import type { CompleteText } from '../conversation/summarise.ts';

export function poolCompleteText(pool: AccountPool): CompleteText {
  return async ({ body, modelId, stickyKey, signal }) => {
    const lease = await pool.execute({ body, modelId, stickyKey, signal });
    let text = '';
    let ok = false;
    try {
      for await (const ev of lease.events) {
        if (ev.type === 'assistantResponse') text += ev.content;
        else if (ev.type === 'error' || ev.type === 'invalidState') throw new Error(`summary stream failed: ${ev.message ?? ev.type}`);
      }
      ok = true;
    } finally {
      lease.release(ok ? { ok: true } : { ok: false });
    }
    return text;
  };
}
