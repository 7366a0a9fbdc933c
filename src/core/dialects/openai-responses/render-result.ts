// A non-streamed Response object.
import type { NeutralRequest, NeutralResult } from '../../conversation/types.ts';
import type { ResponseMeta } from '../types.ts';
import { stringifyInput } from '../shared/json-args.ts';
import {
  clientToolOf,
  customInputOf,
  customToolCallItem,
  finalStatus,
  functionCallItem,
  itemId,
  messageItem,
  reasoningItem,
  responseEnvelope,
  responsesUsage,
  type OutputItem,
} from './response-object.ts';

export function renderResponsesResult(req: NeutralRequest, result: NeutralResult, meta: ResponseMeta) {
  const { status, incomplete_details } = finalStatus(result.stopReason);
  const itemStatus = status === 'incomplete' ? 'incomplete' : 'completed';
  const output: OutputItem[] = [];
  let n = 0;
  for (const b of result.content) {
    if (b.type === 'thinking') {
      if (b.text) output.push(reasoningItem(itemId('rs', meta, n++), b.text));
    } else if (b.type === 'text') {
      if (b.text) output.push(messageItem(itemId('msg', meta, n++), b.text, itemStatus));
    } else {
      const t = clientToolOf(req, b.name);
      output.push(
        t.custom
          ? customToolCallItem(itemId('ctc', meta, n++), b.id, t.name, customInputOf(b.input), 'completed', t.namespace)
          : functionCallItem(itemId('fc', meta, n++), b.id, t.name, stringifyInput(b.input), 'completed', t.namespace),
      );
    }
  }
  return responseEnvelope(req, meta, { status, incomplete_details, output, usage: responsesUsage(result.usage) });
}
