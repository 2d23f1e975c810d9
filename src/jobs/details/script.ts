/**
 * A small shell tokenizer for showing a batch script read-only: comments,
 * scheduler directives (`#SBATCH`, `#PBS`), the shebang, strings, variables,
 * and shell keywords. Enough to read a script at a glance; not a parser.
 */

export type TokenKind =
  | 'text'
  | 'comment'
  | 'directive'
  | 'shebang'
  | 'string'
  | 'variable'
  | 'keyword';

export interface IToken {
  kind: TokenKind;
  text: string;
}

const KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'elif',
  'fi',
  'for',
  'while',
  'until',
  'do',
  'done',
  'case',
  'esac',
  'in',
  'function',
  'return',
  'export',
  'local',
  'set',
  'source',
  'module',
  'srun',
  'mpirun',
  'exit'
]);

const DIRECTIVE = /^\s*#(SBATCH|PBS)\b/;

/** The tokens of one line (without its newline). */
export function tokenizeLine(line: string, first = false): IToken[] {
  if (first && line.startsWith('#!')) {
    return [{ kind: 'shebang', text: line }];
  }
  if (DIRECTIVE.test(line)) {
    return [{ kind: 'directive', text: line }];
  }
  const tokens: IToken[] = [];
  const push = (kind: TokenKind, text: string) => {
    const last = tokens[tokens.length - 1];
    if (last && last.kind === kind && kind === 'text') {
      last.text += text;
    } else if (text) {
      tokens.push({ kind, text });
    }
  };
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) {
      push('comment', line.slice(i));
      break;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < line.length && line[j] !== c) {
        j += line[j] === '\\' && c === '"' ? 2 : 1;
      }
      push('string', line.slice(i, Math.min(j + 1, line.length)));
      i = j + 1;
      continue;
    }
    if (c === '$') {
      const m = /^\$(\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*|[0-9#?@*$!-])/.exec(
        line.slice(i)
      );
      if (m) {
        push('variable', m[0]);
        i += m[0].length;
        continue;
      }
    }
    const word = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(line.slice(i));
    if (word) {
      const before = line.slice(0, i);
      // A keyword where a command starts: line start, or after ; | & ( or `then`...
      const commandPosition = /(^|[;&|(]|\bthen|\bdo|\belse)\s*$/.test(before);
      push(
        KEYWORDS.has(word[0]) && commandPosition ? 'keyword' : 'text',
        word[0]
      );
      i += word[0].length;
      continue;
    }
    push('text', c);
    i++;
  }
  return tokens;
}

/** The tokens of each line of a script. */
export function tokenizeScript(script: string): IToken[][] {
  return script
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line, index) => tokenizeLine(line, index === 0));
}
