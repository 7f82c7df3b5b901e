/**
 * A strict little XML well-formedness check for the SVGs the tests read (no XML parser is a dependency):
 * one root element, balanced tags, quoted and unique attributes, no bare "&" or "<" in text.
 *
 * @example
 * expect(xmlProblems(svg)).toEqual([]);
 */
export function xmlProblems(xml: string): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, "");
  const token = /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"<]*")*)\s*(\/?)>|([^<]+)|(<)/g;
  for (let t = token.exec(body); t; t = token.exec(body)) {
    const [, closing, name, attrs, selfClosing, text, stray] = t;
    if (stray) {
      problems.push(`malformed tag at ${t.index}: ${body.slice(t.index, t.index + 40)}`);
      continue;
    }
    const checkEntities = (s: string) => {
      for (const amp of s.matchAll(/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/g)) problems.push(`bare & at ${t!.index + (amp.index ?? 0)}`);
    };
    if (text !== undefined) {
      if (stack.length === 0 && text.trim()) problems.push(`text outside the root: ${text.slice(0, 20)}`);
      checkEntities(text);
      continue;
    }
    checkEntities(attrs);
    const names = [...attrs.matchAll(/([\w:.-]+)\s*=/g)].map((a) => a[1]);
    if (new Set(names).size !== names.length) problems.push(`duplicate attribute in <${name}>`);
    if (closing) {
      const open = stack.pop();
      if (open !== name) problems.push(`</${name}> closes <${open}>`);
    } else if (!selfClosing) {
      if (stack.length === 0) roots++;
      stack.push(name);
    } else if (stack.length === 0) roots++;
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(", ")}`);
  if (roots !== 1) problems.push(`${roots} root elements`);
  return problems;
}

