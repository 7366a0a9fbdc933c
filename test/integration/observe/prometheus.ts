// A strict-enough reader of the Prometheus text exposition format (0.0.4): every line is a
// HELP/TYPE comment or a sample `name{label="value",…} number`; samples belong to a declared family.
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
  /** Samples of one series name whose labels include `match`. */
  find(name: string, match?: Record<string, string>): Sample[];
  /** Sum of the matching samples' values (0 when none). */
  sum(name: string, match?: Record<string, string>): number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(,|$)/y;

export function parsePrometheus(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (!m || !NAME.test(m[2]!)) throw new Error(`line ${i + 1}: bad comment: ${line}`);
      if (m[1] === 'TYPE') {
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(m[3] ?? '')) throw new Error(`line ${i + 1}: bad type: ${line}`);
        types.set(m[2]!, m[3]!);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`line ${i + 1}: not a sample: ${line}`);
    const labels: Record<string, string> = {};
    if (m[3]) {
      LABEL.lastIndex = 0;
      let pos = 0;
      while (pos < m[3].length) {
        LABEL.lastIndex = pos;
        const l = LABEL.exec(m[3]);
        if (!l) throw new Error(`line ${i + 1}: bad labels: ${m[3]}`);
        labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
        pos = LABEL.lastIndex;
      }
    }
    const raw = m[4]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`line ${i + 1}: bad value: ${raw}`);
    const name = m[1]!;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    if (!types.has(name) && !types.has(family)) throw new Error(`line ${i + 1}: sample of undeclared family ${name}`);
    samples.push({ name, labels, value });
  }
  const find = (name: string, match: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
  return { types, samples, find, sum: (name, match) => find(name, match).reduce((a, s) => a + s.value, 0) };
}
